import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../agent/projectRoot';

// deploy/README.md splits the suites over machines with jest's own --shard. This runs jest as a machine
// would, on this repository's config, and checks what the README promises: the shards together are
// every test file once, whatever the number of machines, and a shard that does not exist is refused.

const JEST = require.resolve('jest/bin/jest');

function listTests(...args: string[]): { code: number | null; files: string[]; stderr: string } {
  const run = spawnSync(process.execPath, [JEST, '--listTests', ...args], {
    cwd: projectRoot(),
    encoding: 'utf8',
  });
  const files = run.stdout
    .split('\n')
    .filter((line) => line.endsWith('.test.ts'))
    .sort();
  return { code: run.status, files, stderr: run.stderr };
}

describe('jest --shard over this repository', () => {
  let all: ReturnType<typeof listTests>;
  beforeAll(() => {
    all = listTests();
  });

  test('lists every test file, this one included', () => {
    expect(all.code).toBe(0);
    expect(all.files).toContain(__filename);
    expect(all.files.length).toBeGreaterThan(50);
  });

  test.each([2, 3])('%i shards hold every test file exactly once', (count) => {
    const shards = Array.from({ length: count }, (_, i) => listTests(`--shard=${i + 1}/${count}`));
    for (const shard of shards) {
      expect(shard.code).toBe(0);
      expect(shard.files.length).toBeGreaterThan(0);
    }
    const together = shards.flatMap((shard) => shard.files);
    expect(new Set(together).size).toBe(together.length);
    expect(together.sort()).toEqual(all.files);
  });

  test("a shard past the count is refused by jest's own check, and lists no files", () => {
    const beyond = listTests('--shard=4/3');
    expect(beyond.code).not.toBe(0);
    expect(beyond.files).toEqual([]);
    expect(beyond.stderr).toContain('The shard option <n>/<m> requires <n> to be lower or equal than <m>');
  });
});
