/**
 * What a backend costs to start and close on a fresh in-memory database, as the model suite and the
 * scenario library start one for every path and scenario: rounds of N starts and closes one after the
 * other, with the wall and CPU time of each round (the first is cold: modules loading, code not yet
 * compiled). A benchmark, not a test: nothing here asserts.
 *
 *   npm run build && node dist/harness/bench/backendStart.js [backends=40] [rounds=3]
 */
import { cpus, loadavg } from 'node:os';
import { startBackend } from '../backend/server';

const backends = Number(process.argv[2] ?? 40);
const rounds = Number(process.argv[3] ?? 3);
if (!Number.isInteger(backends) || backends < 1 || !Number.isInteger(rounds) || rounds < 1)
  throw new Error(`backends and rounds must be whole numbers >= 1, got ${process.argv.slice(2).join(' ')}`);

void (async () => {
  process.stdout.write(
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  for (let round = 1; round <= rounds; round++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < backends; i++) await (await startBackend()).close();
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    process.stdout.write(
      `round ${round}: ${backends} backends started and closed in ${(performance.now() - started).toFixed(0)} ms, ${cpuMs.toFixed(0)} ms of CPU (${(cpuMs / backends).toFixed(2)} ms a backend)\n`,
    );
  }
})();
