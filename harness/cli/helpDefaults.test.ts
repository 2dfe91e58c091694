import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendOptionsSchema } from '../backend/options';
import { EMBEDDED_PROFILE, fleetOptionsSchema } from '../fleet/options';
import { appiumParallelSchema } from '../targets/appium/parallel';
import { stagesimCommand } from './testing/stagesimProcess';

/**
 * Help and README name the defaults the schemas apply: the expected values come from parsing nothing
 * through each schema (what runs), the texts from the real CLI's --help and the fleet README's table.
 */
function help(command: string): string {
  const { command: node, args, cwd } = stagesimCommand([command, '--help']);
  // Commander wraps long descriptions; join the lines so a default is one run of text.
  return execFileSync(node, args, { cwd, encoding: 'utf8' }).replace(/\s+/g, ' ');
}

const fleetDefaults = fleetOptionsSchema.parse({ devices: 1 });
const backendDefaults = backendOptionsSchema.parse({});

describe('defaults in help and README come from the schemas', () => {
  test('stagesim fleet --help', () => {
    const text = help('fleet');
    expect(fleetDefaults.concurrency).toBe(64); // the value issue 13 found misreported as 200
    expect(text).toContain(`devices in flight at once (default ${fleetDefaults.concurrency})`);
    expect(text).toContain(`threads (default ${fleetDefaults.workers})`);
    expect(text).toContain(`go on to enrolled (default ${fleetDefaults.until})`);
    expect(text).toContain(`(inline) (default ${fleetDefaults.embedded})`);
    expect(text).toContain(`sign in (default ${fleetDefaults.domain})`);
    expect(text).toContain(`(default ${EMBEDDED_PROFILE.flow})`);
    expect(text).toContain(`(default ${EMBEDDED_PROFILE.mode})`);
    expect(text).not.toMatch(/default 200\b/);
  });

  test('stagesim backend --help', () => {
    const text = help('backend');
    expect(text).toContain(`needs an admin key (default ${backendDefaults.host})`);
    expect(text).toContain(`free one) (default ${backendDefaults.port})`);
    expect(text).toContain(`device names (default ${backendDefaults.timeZone})`);
    expect(text).toContain(`can sign in (default ${backendDefaults.tenantDomains.join(',')})`);
    expect(backendDefaults.dbPath).toBe(':memory:');
    expect(text).toContain('keep everything in (default: in memory)');
  });

  test.each(['run', 'model'])('stagesim %s --help: --parallel', (command) => {
    expect(help(command)).toContain(
      `each with its own appium:systemPort (default ${appiumParallelSchema.parse(undefined)})`,
    );
  });

  test("the fleet README's option table", () => {
    const readme = readFileSync(join(__dirname, '../fleet/README.md'), 'utf8');
    const row = (option: string) => {
      const line = readme.split('\n').find((candidate) => candidate.startsWith(`| ${option} `));
      if (!line) throw new Error(`no row for ${option} in harness/fleet/README.md`);
      return line.split('|')[2]!.trim();
    };
    expect(row('`--concurrency`')).toBe(String(fleetDefaults.concurrency));
    expect(row('`--until`')).toBe(fleetDefaults.until);
    expect(row('`--workers`')).toBe(String(fleetDefaults.workers));
    expect(row('`--embedded`')).toBe(fleetDefaults.embedded);
    expect(row('`--domain`')).toBe(fleetDefaults.domain);
    expect(row('`--flow`, `--mode`')).toBe(`${EMBEDDED_PROFILE.flow}, ${EMBEDDED_PROFILE.mode}`);
  });
});
