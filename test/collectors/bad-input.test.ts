/**
 * Bad input: a clear 4xx, a counted reason, no state change, and the
 * exporter keeps serving.
 */
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorsExporter, type CollectorsExporter } from '../../exporters/collectors/index.js';
import { OpampAgent } from '../../sim/opamp/agent.js';
import { decodeServerToAgent, encodeAgentToServer, newInstanceUid } from '../../sim/opamp/messages.js';
import { sampleValue, startTestExporter, type TestExporter } from '../support/exporter.js';

let exporter: TestExporter;
let collectors: CollectorsExporter;
let opamp: string;
const TOKEN = 'test-token-123';
const description = { identifying: { 'service.name': 'otelcol' }, nonIdentifying: {} };

beforeAll(async () => {
  exporter = await startTestExporter(collectorsExporter, {
    sets: ['opamp.listen.host=127.0.0.1', 'opamp.listen.port=0', 'opamp.body_limit_bytes=4096', `events.token=${TOKEN}`],
  });
  collectors = exporter.instance as CollectorsExporter;
  opamp = `http://127.0.0.1:${collectors.opampPort}/v1/opamp`;
  // One known collector whose state must survive everything below.
  await new OpampAgent({ endpoint: opamp, transport: 'http', status: { description } }).send();
});
afterAll(async () => {
  await exporter.stop();
});

function fleet(): string {
  return JSON.stringify([...collectors.model.all()].map((r) => [r.id, r.state, r.since]));
}

async function expectRefused(send: () => Promise<Response>, status: number, reason: string, message: RegExp): Promise<void> {
  const before = fleet();
  const counted = exporter.rejections.get(reason);
  const response = await send();
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe(reason);
  expect(body.message).toMatch(message);
  expect(exporter.rejections.get(reason)).toBe(counted + 1);
  expect(fleet()).toBe(before);
}

const post = (url: string, body: string | Buffer, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body });
const protobuf = { 'content-type': 'application/x-protobuf' };
const json = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

describe('the OpAMP HTTP transport refuses', () => {
  it.each([
    ['garbage protobuf', () => post(opamp, Buffer.from([0x0f, 0xff, 0x01]), protobuf), 400, 'invalid_protobuf', /malformed protobuf.*AgentToServer/],
    ['a message with no instance_uid', () => post(opamp, Buffer.from([0x10, 0x01]), protobuf), 400, 'invalid_protobuf', /instance_uid \(field 1\) is missing/],
    ['a wrong content type', () => post(opamp, '{}', { 'content-type': 'application/json' }), 415, 'unsupported_media_type', /not accepted here; send application\/x-protobuf/],
    ['a body over the limit', () => post(opamp, Buffer.alloc(8192, 1), protobuf), 413, 'body_too_large', /over the configured limit/],
    ['a gzip body that inflates over the limit', () => post(opamp, gzipSync(Buffer.alloc(64 * 1024)), { ...protobuf, 'content-encoding': 'gzip' }), 413, 'body_too_large', /over the configured limit/],
    ['a body that is not gzip', () => post(opamp, Buffer.from('not gzip'), { ...protobuf, 'content-encoding': 'gzip' }), 400, 'invalid_gzip', /cannot be decompressed/],
    ['an unknown content encoding', () => post(opamp, Buffer.from('x'), { ...protobuf, 'content-encoding': 'br' }), 415, 'unsupported_content_encoding', /Content-Encoding br/],
    ['a GET without an upgrade', () => fetch(opamp), 400, 'not_opamp', /speaks OpAMP/],
  ] as const)('%s', async (_name, send, status, reason, message) => {
    await expectRefused(send, status, reason, message);
  });
});

describe('the OpAMP WebSocket transport', () => {
  it('answers bad frames with a BadRequest error_response, counts them, and keeps the connection', async () => {
    const socket = new WebSocket(opamp.replace('http', 'ws'));
    await new Promise((resolve) => socket.once('open', resolve));
    const next = () => new Promise<Buffer>((resolve) => socket.once('message', resolve));
    const before = fleet();
    const counts = () => ['invalid_frame', 'invalid_protobuf'].map((r) => exporter.rejections.get(r));
    const [frames0, proto0] = counts();

    socket.send('hello'); // a text frame
    expect(decodeServerToAgent((await next()).subarray(1)).errorMessage).toMatch(/binary/);
    socket.send(Buffer.from([0x05, 0x0a, 0x00])); // header 5, not 0
    expect(decodeServerToAgent((await next()).subarray(1)).errorMessage).toMatch(/header is 5/);
    socket.send(Buffer.from([0x00, 0xff, 0xff])); // header 0, garbage
    expect(decodeServerToAgent((await next()).subarray(1)).errorMessage).toMatch(/malformed protobuf/);
    expect(counts()).toEqual([frames0! + 1, proto0! + 2]);
    expect(fleet()).toBe(before);

    // Still serving on the same socket.
    const uid = newInstanceUid();
    socket.send(Buffer.concat([Buffer.from([0]), encodeAgentToServer({ instanceUid: uid, sequenceNum: 1, capabilities: 1, description })]));
    expect(decodeServerToAgent((await next()).subarray(1)).errorMessage).toBeUndefined();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
    // The server handles the close on its side too; wait for that real event.
    const id = [...collectors.model.all()].find((r) => r.reported?.instanceUid && Buffer.from(uid).toString('hex') === r.id.replace(/-/g, ''))!.id;
    while (collectors.model.get(id)?.state !== 'Disconnected') await new Promise((resolve) => setTimeout(resolve, 5));
  });
});

describe('the event API refuses', () => {
  const url = () => `${exporter.url}/api/v1/collectors/events`;
  it.each([
    ['invalid JSON', () => post(url(), '[{"collector_id":', json), 400, 'invalid_json', /not valid JSON/],
    ['a body that is not an array', () => post(url(), '{"collector_id":"x","state":"Connected"}', json), 400, 'invalid_event', /JSON array/],
    ['an unknown state', () => post(url(), '[{"collector_id":"x","state":"Broken"}]', json), 400, 'invalid_event', /events\[0\]\.state: expected one of Connected/],
    ['a bad time', () => post(url(), '[{"collector_id":"x","state":"Pending","time":"yesterday"}]', json), 400, 'invalid_event', /events\[0\]\.time/],
    ['an unknown field', () => post(url(), '[{"collector_id":"x","state":"Pending","colour":"red"}]', json), 400, 'invalid_event', /events\[0\]\.colour: unknown field/],
    ['a wrong content type', () => post(url(), '[]', { ...json, 'content-type': 'text/plain' }), 415, 'unsupported_media_type', /application\/json/],
    ['a wrong token', () => post(url(), '[]', { ...json, authorization: 'Bearer nope' }), 401, 'unauthorized', /Bearer/],
    ['no token', () => post(url(), '[]', { 'content-type': 'application/json' }), 401, 'unauthorized', /Bearer/],
    ['a body over the limit', () => post(url(), `[${'{"collector_id":"x","state":"Pending"},'.repeat(40000)}1]`, json), 413, 'body_too_large', /limit/],
  ] as const)('%s', async (_name, send, status, reason, message) => {
    await expectRefused(send, status, reason, message);
  });

  it('applies a batch whole or not at all', async () => {
    const before = fleet();
    const response = await post(url(), JSON.stringify([{ collector_id: 'ok-1', state: 'Pending' }, { collector_id: 'ok-2', state: 'Nope' }]), json);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: expect.stringMatching(/events\[1\]\.state/) });
    expect(fleet()).toBe(before);
  });
});

it('keeps serving, and shows every refusal in /metrics', async () => {
  expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
  const accepted = await post(`${exporter.url}/api/v1/collectors/events`, '[{"collector_id":"late","state":"Pending"}]', json);
  expect(accepted.status).toBe(202);
  const text = await exporter.scrape();
  for (const reason of ['invalid_protobuf', 'unsupported_media_type', 'body_too_large', 'invalid_gzip', 'invalid_frame', 'invalid_json', 'invalid_event', 'unauthorized']) {
    expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'collectors', reason }), reason).toBeGreaterThan(0);
  }
});
