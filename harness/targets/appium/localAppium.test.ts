import { runToEnd } from '../../processes/childProcess';
import { join } from 'node:path';
import { startBackend } from '../../backend/server';
import { projectRoot } from '../../../agent/projectRoot';
import { startAppiumProcess } from './localAppium';
import { AppiumSession } from './session';

/** The CLI's local Appium server: a child process of its own, with the stagesim driver, stopped by its pid. */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

test('starts on a free loopback port with the stagesim driver, and stop() ends its process', async () => {
  const server = await startAppiumProcess();
  const backend = await startBackend();
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alive(server.pid!)).toBe(true);
    const session = await AppiumSession.open(server.url, {
      platformName: 'Android',
      'appium:automationName': 'StagesimDevice',
      'stagesim:backendUrl': backend.url,
    });
    expect(session.capabilities).toMatchObject({ automationName: 'StagesimDevice' });
    await session.delete();
  } finally {
    await backend.close();
    await server.stop();
  }
  expect(await gone(server.pid!)).toBe(true);
  await expect(fetch(`${server.url}/status`)).rejects.toThrow();
});

test('a process that dies without stopping its server takes the server with it', async () => {
  // A script that starts the server, prints its pid and exits with an uncaught error.
  const script = `
    const { startAppiumProcess } = require(${JSON.stringify(join(__dirname, 'localAppium.ts'))});
    startAppiumProcess().then((server) => { console.log(server.pid); setImmediate(() => { throw new Error('crash'); }); });
  `;
  const { code, stdout } = await runToEnd(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', script],
    { cwd: projectRoot() },
  );
  expect(code).not.toBe(0);
  const pid = Number(stdout.trim());
  expect(pid).toBeGreaterThan(0);
  expect(await gone(pid)).toBe(true);
}, 60_000);
