import { describe, expect, it } from 'vitest';
import { normaliseName, parseAddress } from './targets.js';

describe('probe target addresses', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1:8080'],
    ['10.0.0.1:9090', '10.0.0.1:9090'],
    ['conn-a.internal', 'conn-a.internal:8080'],
    [' conn-a.internal:80 ', 'conn-a.internal:80'],
    ['[::1]:9090', '[::1]:9090'],
    ['[fd00::2]', '[fd00::2]:8080'],
    ['fd00::2', '[fd00::2]:8080'],
    // One address written two ways is one instance.
    ['Conn-A.Internal:8080', 'conn-a.internal:8080'],
    ['[FD00::2]', '[fd00::2]:8080'],
    ['[fd00:0::2]:8080', '[fd00::2]:8080'],
    ['FD00:0:0::0:2', '[fd00::2]:8080'],
  ])('%s is instance %s', (given, address) => {
    expect(parseAddress(given, 8080).address).toBe(address);
  });

  it.each([
    ['http://10.0.0.1:8080', /not a URL/],
    ['10.0.0.1:8080/health', /not a URL/],
    ['10.0.0.1:0', /port must be a number from 1 to 65535/],
    ['10.0.0.1:http', /port must be a number/],
    ['[not-ipv6]:80', /not an IPv6 address/],
    ['[fd00:::2]:80', /not an IPv6 address/],
    ['', /expected host\[:port\]/],
    ['conn a', /expected host\[:port\]/],
  ])('refuses %j', (given, message) => {
    expect(() => parseAddress(given, 8080)).toThrow(message);
  });
});

describe('OTLP instance names, matched against discovered addresses', () => {
  it.each([
    ['Conn-A.internal:8080', 'conn-a.internal:8080'],
    ['CONN-A', 'conn-a'],
    ['[FD00:0::2]:8080', '[fd00::2]:8080'],
    ['FD00:0::2', 'fd00::2'],
    ['not an address', 'not an address'],
  ])('%s is looked up as %s', (name, normalised) => {
    expect(normaliseName(name)).toBe(normalised);
  });
});
