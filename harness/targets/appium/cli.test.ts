import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { runCli } from '../../testing/cli';

/**
 * `--target appium` from the CLI (the built bin): with no --appium-url it starts its own Appium server
 * with the stagesim driver and leaves nothing running; bad appium options are bad input (exit 2).
 */

/** Processes whose environment carries the marker: whatever the CLI started and left behind. */
function processesMarked(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`STAGESIM_TEST_MARKER=${marker}`))
        found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

test('stagesim run --target appium runs a scenario through a local Appium server and leaves no process behind', async () => {
  const marker = randomUUID();
  const result = await runCli(
    ['run', 'scenarios/staging-fully-managed-happy-path.yaml', '--target', 'appium'],
    { env: { STAGESIM_TEST_MARKER: marker } },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/1 passed/);
  expect(processesMarked(marker)).toEqual([]);
}, 120_000);

test('stagesim model --target appium --parallel 2 runs model paths through it', async () => {
  const marker = randomUUID();
  const result = await runCli(
    ['model', '--target', 'appium', '--parallel', '2', '--seed', '7', '--only', 'path-001', 'path-002'],
    { env: { STAGESIM_TEST_MARKER: marker } },
  );
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/2 passed/);
  expect(processesMarked(marker)).toEqual([]);
}, 120_000);

test.each([
  [['--target', 'appium', '--parallel', '0'], /--parallel expects a whole number of at least 1/],
  [['--target', 'appium', '--appium-url', 'ftp://example.com'], /--appium-url: expected an http\(s\) URL/],
  [
    ['--target', 'appium', '--capabilities', 'no-such-file.json'],
    /--capabilities no-such-file\.json: cannot read: ENOENT/,
  ],
  [
    ['--target', 'appium', '--capabilities', 'emulator-scripts/capabilities/cloud-farm.json'],
    /\$\{BROWSERSTACK_USERNAME\}, \$\{BROWSERSTACK_ACCESS_KEY\} not filled in/,
  ],
  [
    ['--target', 'appium', '--capabilities', 'emulator-scripts/capabilities/local-emulator.json'],
    /a local Appium server has only the stagesim driver; for UiAutomator2 give the URL/,
  ],
  [
    ['--capabilities', 'emulator-scripts/capabilities/local-emulator.json', '--parallel', '2'],
    /--capabilities, --parallel need --target appium/,
  ],
])('stagesim run %j is bad input', async (args, message) => {
  const result = await runCli(['run', 'scenarios/staging-fully-managed-happy-path.yaml', ...args]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});
