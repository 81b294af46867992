import { describe, expect, it } from 'vitest';
import { ProtoError, ProtoReader, ProtoWriter } from './protobuf.js';

describe('protobuf wire format', () => {
  it('reads back what it writes, including large varints and nested messages', () => {
    const bytes = new ProtoWriter()
      .varint(1, 300)
      .varint(2, 2 ** 40)
      .string(3, 'héllo')
      .message(4, new ProtoWriter().bool(1, true).double(2, 1.5).fixed64(3, 1_700_000_000_000_000_000n))
      .finish();
    const r = new ProtoReader(bytes);
    const seen: unknown[] = [];
    while (r.next()) {
      if (r.field === 1 || r.field === 2) seen.push(r.varint());
      else if (r.field === 3) seen.push(r.string());
      else {
        const inner = r.message();
        while (inner.next()) seen.push(inner.field === 1 ? inner.bool() : inner.field === 2 ? inner.double() : inner.fixed64());
      }
    }
    expect(seen).toEqual([300, 2 ** 40, 'héllo', true, 1.5, 1.7e18]);
  });

  it('refuses truncated and impossible input with a ProtoError', () => {
    const truncated = new ProtoWriter().string(1, 'abcdef').finish().subarray(0, 4);
    const read = (b: Uint8Array) => {
      const r = new ProtoReader(b);
      while (r.next()) r.skip();
    };
    expect(() => read(truncated)).toThrow(ProtoError);
    expect(() => read(Uint8Array.from([0x0f]))).toThrow(/wire type 7/);
    expect(() => read(Uint8Array.from([0x08, 0xff]))).toThrow(/truncated varint/);
    expect(() => read(Uint8Array.from([0x00]))).toThrow(/field number 0/);
  });
});
