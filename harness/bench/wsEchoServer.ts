import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';

/**
 * The raw limit's server side: a plain ws echo server on a free loopback port, in a process of its own
 * (started by wsBaseline.ts). It prints its port on stdout, echoes every message, answers a line "cpu"
 * on stdin with its CPU time so far (milliseconds), and exits when stdin ends. Same ws options as the
 * backend's device channel: no compression.
 */
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('listening', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => undefined);
});
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() !== 'cpu') return;
    const cpu = process.cpuUsage();
    process.stdout.write(`${(cpu.user + cpu.system) / 1000}\n`);
  })
  .on('close', () => process.exit(0));
