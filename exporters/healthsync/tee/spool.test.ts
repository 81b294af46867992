import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/exporter.js';
import { Spool } from './spool.js';

describe('Spool', () => {
  it('hands payloads out first in, first out, byte for byte, and keeps them across a reopen', () => {
    const path = join(tempDir(), 'tee.sqlite');
    const bodies = [Buffer.from('{"a":1}'), Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]), Buffer.from(' { "b" : "ü" } ')];
    const spool = new Spool(path, 1024);
    bodies.forEach((b, i) => spool.append(b, 1000 + i));
    expect(spool.depth).toBe(3);
    expect(spool.size).toBe(bodies.reduce((n, b) => n + b.length, 0));
    expect(spool.oldestReceivedAt).toBe(1000);
    spool.delete(spool.peek()!);
    spool.close();

    const reopened = new Spool(path, 1024);
    expect(reopened.depth).toBe(2);
    expect(reopened.oldestReceivedAt).toBe(1001);
    const out: Buffer[] = [];
    for (let p = reopened.peek(); p; p = reopened.peek()) {
      out.push(p.body);
      reopened.delete(p);
    }
    expect(out.map((b) => b.toString('hex'))).toEqual(bodies.slice(1).map((b) => b.toString('hex')));
    expect(reopened.depth).toBe(0);
    expect(reopened.size).toBe(0);
    expect(reopened.oldestReceivedAt).toBeUndefined();
    reopened.close();
  });

  it('says when a payload would not fit under the bound', () => {
    const spool = new Spool(join(tempDir(), 'tee.sqlite'), 10);
    expect(spool.hasRoomFor(10)).toBe(true);
    spool.append(Buffer.alloc(6), 1);
    expect(spool.hasRoomFor(4)).toBe(true);
    expect(spool.hasRoomFor(5)).toBe(false);
    spool.close();
  });
});
