import WebSocket from 'ws';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import { startServerProcess } from './serverProcess';

const node = (script: string) => ['-e', script];

describe('startServerProcess', () => {
  test("the raw baseline's echo server: its port serves, its CPU time grows, stop ends it", async () => {
    const server = await startServerProcess('the echo server', [
      ...sourceExecArgv(__filename),
      siblingEntry(__filename, 'wsEchoServer'),
    ]);
    try {
      const before = await server.cpuMs();
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}`, { perMessageDeflate: false });
      const echoed = await new Promise<string>((resolve, reject) => {
        socket.once('open', () => socket.send('ping'));
        socket.once('message', (data) => resolve(data.toString()));
        socket.once('error', reject);
      });
      socket.close();
      expect(echoed).toBe('ping');
      expect(await server.cpuMs()).toBeGreaterThan(before);
    } finally {
      await server.stop();
    }
    expect(() => process.kill(server.pid, 0)).toThrow();
  });

  test('what it is given goes in as its first line', async () => {
    const server = await startServerProcess(
      'an echo of its input',
      node(
        "require('readline').createInterface({ input: process.stdin }).once('line', (line) => console.log(line.length)).on('close', () => process.exit(0))",
      ),
      'x'.repeat(1234),
    );
    expect(server.port).toBe(1234);
    await server.stop();
  });

  test('a server that exits before its port: one line, its exit code and the first line of its stderr', async () => {
    await expect(
      startServerProcess('a failing server', node("console.error('no table\\nmore'); process.exit(3)")),
    ).rejects.toThrow(/^a failing server exited \(3\): no table$/);
  });

  test('a server that prints something else for its port is refused', async () => {
    await expect(
      startServerProcess('a talkative server', node("console.log('hello'); setInterval(() => {}, 1000)")),
    ).rejects.toThrow('a talkative server printed "hello" for its port');
  });
});
