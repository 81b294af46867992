/**
 * The protobuf wire format, just enough of it to decode OpAMP and OTLP by field
 * number and to encode small replies. Each protocol writes its own schema
 * (which field number means what) on top of this reader and writer.
 */

export class ProtoError extends Error {
  constructor(message: string) {
    super(`malformed protobuf: ${message}`);
  }
}

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

/** Walks the fields of one message: `while (r.next()) switch (r.field) …`. */
export class ProtoReader {
  private pos: number;
  field = 0;
  wire = 0;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  next(): boolean {
    if (this.pos >= this.end) return false;
    const tag = this.varint();
    this.field = Math.floor(tag / 8);
    this.wire = tag & 7;
    if (this.field === 0) throw new ProtoError('field number 0');
    return true;
  }

  /** A varint as a number; exact up to 2^53, which covers every field we read. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new ProtoError('varint longer than 10 bytes');
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** A fixed64 as a (possibly rounded) number: fine for nanosecond timestamps. */
  fixed64(): number {
    const view = this.take(8);
    const dv = new DataView(view.buffer, view.byteOffset, 8);
    return dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  }

  sfixed64(): number {
    const view = this.take(8);
    return Number(new DataView(view.buffer, view.byteOffset, 8).getBigInt64(0, true));
  }

  double(): number {
    const view = this.take(8);
    return new DataView(view.buffer, view.byteOffset, 8).getFloat64(0, true);
  }

  bytes(): Uint8Array {
    return this.take(this.varint());
  }

  string(): string {
    const b = this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  }

  /** A reader over the embedded message in the current field. */
  message(): ProtoReader {
    this.expect(WireType.LengthDelimited);
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new ProtoError('length runs past the end of the message');
    this.pos += length;
    return new ProtoReader(this.buf, start, start + length);
  }

  skip(): void {
    switch (this.wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.take(8);
        return;
      case WireType.LengthDelimited:
        this.take(this.varint());
        return;
      case WireType.Fixed32:
        this.take(4);
        return;
      default:
        throw new ProtoError(`unsupported wire type ${this.wire} in field ${this.field}`);
    }
  }

  expect(wire: WireType): void {
    if (this.wire !== wire) throw new ProtoError(`field ${this.field} has wire type ${this.wire}, expected ${wire}`);
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new ProtoError('length runs past the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Builds a message field by field. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  varint(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.rawVarint(BigInt(value));
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  double(field: number, value: number): this {
    this.tag(field, WireType.Fixed64);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.push(b);
    return this;
  }

  fixed64(field: number, value: number | bigint): this {
    this.tag(field, WireType.Fixed64);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks, this.length);
  }

  private tag(field: number, wire: WireType): void {
    this.rawVarint(BigInt(field * 8 + wire));
  }

  private rawVarint(value: bigint): void {
    const out: number[] = [];
    let v = value;
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      out.push(b);
    } while (v > 0n);
    this.push(Uint8Array.from(out));
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
}
