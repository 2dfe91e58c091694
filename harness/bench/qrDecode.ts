import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import type { QrBenchResult } from './qrDecode.bench';

/**
 * qrDecode.bench.ts (the camera's own benchmark) in a process of its own, so the fleet's and the model
 * suite's heaps and JIT state do not colour its figures; read back from its --json output.
 */
export async function runQrDecodeBench(runs = 11): Promise<QrBenchResult | null> {
  const entry = siblingEntry(__filename, 'qrDecode.bench');
  if (!existsSync(entry)) return null;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...sourceExecArgv(__filename), entry, '--runs', String(runs), '--json'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as QrBenchResult;
}
