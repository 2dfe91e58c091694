import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * The raw limit's server side: a plain ws echo server on a free loopback port, in a process of its own
 * (started by wsBaseline.ts). It prints its port on stdout and echoes every message until killed.
 * Same ws options as the backend's device channel: no compression.
 */
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('listening', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => undefined);
});
// The parent going away ends the baseline.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
