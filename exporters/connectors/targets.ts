/**
 * Probe targets: where an instance's health port is. An address is written
 * `host[:port]` (IPv6 in brackets, `[::1]:8080`, or bare without a port);
 * the instance label is always the normalised `host:port`: host names in
 * lower case (DNS is case-insensitive) and IPv6 in its canonical form, so
 * one address written two ways is one instance.
 */

export type DiscoverySource = 'static' | 'file_sd' | 'dns';
export const DISCOVERY_SOURCES: readonly DiscoverySource[] = ['static', 'file_sd', 'dns'];

export interface Target {
  connector: string;
  /** Normalised host:port; also the instance label. */
  address: string;
  source: DiscoverySource;
}

export interface ParsedAddress {
  host: string;
  port: number;
  /** `host:port`, or `[host]:port` for IPv6. */
  address: string;
}

export class AddressError extends Error {}

const HOST = /^[A-Za-z0-9._-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

function parsePort(text: string, given: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new AddressError(`${JSON.stringify(given)}: the port must be a number from 1 to 65535`);
  return port;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The canonical text of an IPv6 address (WHATWG URL: compressed, lower case); throws AddressError. */
function canonicalIpv6(host: string, given: string): string {
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    throw new AddressError(`${JSON.stringify(given)}: not an IPv6 address`);
  }
}

/** Parses `host[:port]` into its normalised form; throws AddressError saying what is wrong. */
export function parseAddress(given: string, defaultPort: number): ParsedAddress {
  const text = given.trim();
  let host: string;
  let port = defaultPort;
  if (text.includes('://') || text.includes('/')) throw new AddressError(`${JSON.stringify(given)}: give host[:port], not a URL (paths come from probe.health_path and probe.ready_path)`);
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], given);
    if (!IPV6.test(host)) throw new AddressError(`${JSON.stringify(given)}: not an IPv6 address in brackets`);
    host = canonicalIpv6(host, given);
  } else if (text.split(':').length > 2) {
    // A bare IPv6 address: no port can be told apart from it.
    host = text;
    if (!IPV6.test(host)) throw new AddressError(`${JSON.stringify(given)}: not an IPv6 address (write [addr]:port)`);
    host = canonicalIpv6(host, given);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    if (colon >= 0) port = parsePort(text.slice(colon + 1), given);
    if (!HOST.test(host)) throw new AddressError(`${JSON.stringify(given)}: expected host[:port] with a host name or IP address`);
    host = host.toLowerCase();
  }
  return { host, port, address: formatAddress(host, port) };
}

/**
 * A name OTLP gives an instance, in the form discovered addresses take
 * (`Conn-A:8080` → `conn-a:8080`, `FD00:0::2` → `fd00::2`), so it can be
 * matched against them; a name that is no address is returned as it is.
 */
export function normaliseName(name: string): string {
  try {
    const { host, port, address } = parseAddress(name, 0);
    return port === 0 ? host : address;
  } catch (err) {
    if (err instanceof AddressError) return name;
    throw err;
  }
}
