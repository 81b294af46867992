/**
 * A small authoritative DNS server on 127.0.0.1 (UDP), written from RFC 1035,
 * so DNS discovery is tested against real queries from node:dns. It answers
 * A and AAAA questions from a table the test changes as it goes; a name not
 * in the table is NXDOMAIN, and `failing` answers SERVFAIL to everything.
 *
 * Message layout (RFC 1035 §4.1): a 12-byte header (ID, flags, QDCOUNT,
 * ANCOUNT, NSCOUNT, ARCOUNT), the question (QNAME as length-prefixed labels,
 * QTYPE, QCLASS), then resource records (NAME, TYPE, CLASS, TTL, RDLENGTH,
 * RDATA). Answers name the question by a compression pointer to offset 12.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

export interface DnsRecords {
  a?: string[];
  aaaa?: string[];
}

export class DnsResponder {
  private readonly records = new Map<string, DnsRecords>();
  failing = false;
  queries = 0;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}

  static async start(): Promise<DnsResponder> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const responder = new DnsResponder(socket, socket.address().port);
    socket.on('message', (msg, rinfo) => responder.answer(msg, rinfo));
    return responder;
  }

  /** The resolver address for node:dns, e.g. 127.0.0.1:5353. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, records: DnsRecords): void {
    this.records.set(name.toLowerCase(), records);
  }

  /** The name no longer exists: NXDOMAIN. */
  remove(name: string): void {
    this.records.delete(name.toLowerCase());
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length < 12 || msg.readUInt16BE(2) & 0x8000) return; // too short, or a response
    this.queries += 1;
    const id = msg.readUInt16BE(0);
    const flags = msg.readUInt16BE(2);
    // QNAME: labels until the zero-length root label.
    const labels: string[] = [];
    let offset = 12;
    while (offset < msg.length && msg[offset] !== 0) {
      const length = msg[offset]!;
      labels.push(msg.toString('ascii', offset + 1, offset + 1 + length));
      offset += 1 + length;
    }
    const questionEnd = offset + 5;
    if (questionEnd > msg.length) return;
    const qtype = msg.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    const records = this.records.get(name);

    const rcode = this.failing ? RCODE_SERVFAIL : records ? 0 : RCODE_NXDOMAIN;
    const addresses = rcode !== 0 ? [] : qtype === TYPE_A ? (records!.a ?? []) : qtype === TYPE_AAAA ? (records!.aaaa ?? []) : [];
    const answers = addresses.map((ip) => resourceRecord(qtype, qtype === TYPE_A ? ipv4Bytes(ip) : ipv6Bytes(ip)));

    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR=1, the query's opcode, AA=1, the query's RD, RA=0, RCODE.
    header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    this.socket.send(Buffer.concat([header, msg.subarray(12, questionEnd), ...answers]), rinfo.port, rinfo.address);
  }
}

function resourceRecord(type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the QNAME at offset 12
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(1, 6); // TTL: 1 s; the exporter re-resolves every interval anyway
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const out = Buffer.alloc(16);
  [...headGroups, ...zeros, ...tailGroups].forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
