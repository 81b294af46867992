/**
 * DNS discovery: each configured name is resolved (A and AAAA) every probe
 * interval, and every address is an instance of the name's connector. A
 * name that does not exist or has no records yields no instances; a lookup
 * that fails (timeout, SERVFAIL, refused) keeps the name's last good
 * addresses.
 */
import { Resolver } from 'node:dns/promises';
import type { Target } from '../targets.js';
import { formatAddress } from '../targets.js';

export interface DnsName {
  name: string;
  connector: string;
  port: number;
}

export interface DnsOptions {
  names: readonly DnsName[];
  /** ip or ip:port; empty for the system's resolvers. */
  servers: readonly string[];
  timeoutMs: number;
}

export interface DnsResult {
  targets: Target[];
  /** One message per name whose lookup failed. */
  failures: string[];
}

/** Answers that mean "no such records", not "lookup failed". */
const EMPTY_ANSWERS = new Set(['ENODATA', 'ENOTFOUND']);

export class DnsDiscovery {
  private readonly resolver: Resolver;
  private readonly lastGood = new Map<string, string[]>();

  constructor(private readonly opts: DnsOptions) {
    this.resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
    if (opts.servers.length > 0) this.resolver.setServers([...opts.servers]);
  }

  async resolve(): Promise<DnsResult> {
    const failures: string[] = [];
    const targets: Target[] = [];
    await Promise.all(
      this.opts.names.map(async (n) => {
        try {
          this.lastGood.set(n.name, await this.lookup(n.name));
        } catch (err) {
          failures.push(`${n.name}: ${(err as Error).message}`);
        }
        for (const ip of this.lastGood.get(n.name) ?? []) targets.push({ connector: n.connector, address: formatAddress(ip, n.port), source: 'dns' });
      }),
    );
    return { targets, failures };
  }

  cancel(): void {
    this.resolver.cancel();
  }

  private async lookup(name: string): Promise<string[]> {
    const orEmpty = (err: NodeJS.ErrnoException): string[] => {
      if (err.code && EMPTY_ANSWERS.has(err.code)) return [];
      throw err;
    };
    const [v4, v6] = await Promise.all([this.resolver.resolve4(name).catch(orEmpty), this.resolver.resolve6(name).catch(orEmpty)]);
    return [...v4, ...v6].sort();
  }
}
