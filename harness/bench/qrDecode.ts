import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';

/**
 * The QR decode medians of qrDecode.bench.ts (the camera's own benchmark), run as it is and read from
 * its output: its first section, one line per camera frame. Its later sections (the split by part and
 * the error-correction comparison) are for the camera's README and are not waited for.
 */
export interface QrDecodeFigure {
  frame: string;
  medianMs: number;
  outcome: string;
}

const LINE = /^\s+median\s+([\d.]+) ms\s+p90\s+[\d.]+ ms\s+cpu\s+[\d.]+ ms\s+(\S+)\s+(.*)$/;

export async function runQrDecodeBench(runs = 21): Promise<QrDecodeFigure[] | null> {
  const entry = siblingEntry(__filename, 'qrDecode.bench');
  if (!existsSync(entry)) return null;
  const child = spawn(process.execPath, [...sourceExecArgv(__filename), entry, '--runs', String(runs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const figures: QrDecodeFigure[] = [];
  let buffered = '';
  await new Promise<void>((done, fail) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      child.kill();
      done();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const match = LINE.exec(line);
        if (match) figures.push({ medianMs: Number(match[1]), outcome: match[2]!, frame: match[3]! });
        else if (figures.length > 0) finish();
      }
    });
    child.once('error', fail);
    child.once('exit', finish);
  });
  return figures;
}
