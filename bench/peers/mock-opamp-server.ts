/**
 * The peer for OpAMP throughput: Elastic's MockOpAMPServer, an OpAMP HTTP
 * server written by others (node:http + protobuf-es), logging turned off.
 * Prints `READY <endpoint>`.
 */
import mock from '@elastic/mockopampserver';

const server = new mock.MockOpAMPServer({ logLevel: 'fatal', hostname: '127.0.0.1', port: 0 });
await server.start();
process.stdout.write(`READY ${server.endpoint}\n`);
