/**
 * Polls the Bindplane REST API (`GET {url}/v1/agents`, header
 * X-Bindplane-Api-Key, offset/limit paging) and reports each agent's status.
 * A poll that fails reports the source down and nothing else: an outage of
 * Bindplane must not look like the whole fleet disconnecting.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { Periodic } from '../../core/periodic.js';
import type { CollectorObservation } from '../observations.js';
import type { CollectorState } from '../states.js';

export interface BindplaneOptions {
  url: string;
  apiKey: string | undefined;
  intervalMs: number;
  timeoutMs: number;
  pageSize: number;
  statusMap: ReadonlyMap<number, CollectorState>;
  clock: Clock;
  log: Logger;
  ingest: (obs: CollectorObservation[]) => Promise<void>;
}

/** The fields of a Bindplane agent we read (model/agent.go). */
interface BindplaneAgent {
  id: string;
  name?: string;
  hostname?: string;
  version?: string;
  status: number;
  connectedAt?: string;
  disconnectedAt?: string;
  reported_at?: string;
}

const MAX_PAGES = 10_000;

function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function parsePage(body: unknown, page: number): BindplaneAgent[] {
  const agents = (body as { agents?: unknown })?.agents;
  if (!Array.isArray(agents)) throw new Error(`page ${page}: the response has no "agents" array`);
  return agents.map((a, i) => {
    const agent = a as Partial<BindplaneAgent>;
    if (typeof agent?.id !== 'string' || agent.id === '') throw new Error(`page ${page}, agent ${i}: "id" is missing`);
    if (typeof agent.status !== 'number') throw new Error(`page ${page}, agent ${agent.id}: "status" is not a number`);
    return agent as BindplaneAgent;
  });
}

export class BindplanePoller {
  private readonly polls: Periodic;

  constructor(private readonly opts: BindplaneOptions) {
    this.polls = new Periodic('Bindplane poll', () => this.pollAll(), opts.log);
  }

  start(): void {
    this.polls.start(this.opts.intervalMs, true);
  }

  stop(): Promise<void> {
    return this.polls.stop();
  }

  /** One poll of every page; overlapping calls share the one in flight. */
  poll(): Promise<void> {
    return this.polls.runNow();
  }

  private async pollAll(): Promise<void> {
    const { clock, log } = this.opts;
    let agents: BindplaneAgent[];
    try {
      agents = await this.fetchAll();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'Bindplane poll failed; keeping every collector as it was');
      await this.opts.ingest([{ kind: 'source_status', source: 'bindplane', up: false, at: clock.now() }]);
      return;
    }
    const at = clock.now();
    const observations: CollectorObservation[] = agents.map((a) => this.observe(a, at));
    observations.push({ kind: 'source_status', source: 'bindplane', up: true, delivered: true, at });
    await this.opts.ingest(observations);
  }

  private observe(a: BindplaneAgent, at: number): CollectorObservation {
    const state = this.opts.statusMap.get(a.status);
    const since = state === 'Connected' ? parseTime(a.connectedAt) : state === 'Disconnected' ? parseTime(a.disconnectedAt) : undefined;
    return {
      kind: 'reported_state',
      at,
      source: 'bindplane',
      collectorId: a.id,
      state,
      unknownStatus: state === undefined ? a.status : undefined,
      since: since !== undefined ? Math.min(since, at) : undefined,
      lastSeen: parseTime(a.reported_at),
      name: a.name,
      version: a.version,
      host: a.hostname,
    };
  }

  private async fetchAll(): Promise<BindplaneAgent[]> {
    const all: BindplaneAgent[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = new URL('v1/agents', this.opts.url.endsWith('/') ? this.opts.url : `${this.opts.url}/`);
      url.searchParams.set('offset', String(page * this.opts.pageSize));
      url.searchParams.set('limit', String(this.opts.pageSize));
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.opts.apiKey) headers['x-bindplane-api-key'] = this.opts.apiKey;
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      if (response.status !== 200) throw new Error(`GET ${url.pathname} answered ${response.status}`);
      const agents = parsePage(await response.json(), page);
      all.push(...agents);
      if (agents.length < this.opts.pageSize) return all;
    }
    throw new Error(`more than ${MAX_PAGES} pages of agents`);
  }
}
