import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../../agent/projectRoot';
import { parsePrometheusText, sampleValue } from '../../backend/metrics/testing/prometheusText';
import { fleetSummarySchema } from '../../fleet/summary';
import { startUntil } from '../../processes/childProcess';
import { runCli } from '../../testing/cli';
import { UsageError } from '../exit';
import { parseFleetFlags } from './fleet';

describe('stagesim fleet --metrics-port', () => {
  it.each([
    ['abc', '--metrics-port: expected a port number (0 for any free one)'],
    ['-1', '--metrics-port: expected a port number (0 for any free one)'],
    ['70000', '--metrics-port: expected a port number up to 65535'],
  ])('refuses %s in one line', (port, message) => {
    expect(() => parseFleetFlags({ devices: '10', metricsPort: port }, {})).toThrow(UsageError);
    expect(() => parseFleetFlags({ devices: '10', metricsPort: port }, {})).toThrow(message);
  });

  it('takes a port, and 0 for any free one', () => {
    expect(parseFleetFlags({ devices: '10', metricsPort: '9464' }, {}).metricsPort).toBe(9464);
    expect(parseFleetFlags({ devices: '10', metricsPort: '0' }, {}).metricsPort).toBe(0);
    expect(parseFleetFlags({ devices: '10' }, {}).metricsPort).toBeUndefined();
  });

  it('a port already taken is bad input: one line, exit 2, no devices run', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCli(['fleet', '--devices', '5', '--metrics-port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`cannot serve metrics on 127.0.0.1:${port}`);
      expect(run.stdout).toBe('');
    } finally {
      taken.close();
    }
  });

  it('serves the fleet metrics while the fleet runs, and they end where the JSON does', async () => {
    const fleet = await startUntil(
      process.execPath,
      [
        join(projectRoot(), 'dist/harness/cli/main.js'),
        'fleet',
        '--devices',
        '400',
        '--concurrency',
        '8',
        '--json',
        '--metrics-port',
        '0',
      ],
      { ready: /metrics at (http:\/\/\S+)/, on: 'stderr', name: 'stagesim fleet' },
    );
    const url = fleet.match[1]!;
    const exited = fleet.exited.then(({ code }) => code);
    let running = true;
    void exited.then(() => (running = false));
    const seen: number[] = [];
    while (running) {
      try {
        const samples = parsePrometheusText(await (await fetch(url)).text());
        seen.push(sampleValue(samples, 'stagesim_fleet_devices_done_total'));
      } catch {
        // The fleet closed its endpoint between the check and the request: it has finished.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await exited).toBe(0);
    const summary = fleetSummarySchema.parse(JSON.parse(fleet.stdout()));
    expect(summary.succeeded).toBe(400);
    // Scraped mid-run: some devices done, never more than the JSON's final count, never going down.
    expect(seen.some((done) => done > 0 && done < 400)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(Math.max(...seen)).toBeLessThanOrEqual(summary.succeeded);
  });
});
