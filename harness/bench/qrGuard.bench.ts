/**
 * What the camera's bounded inflate (decodeCameraFrame.ts) guards against, and what it costs:
 *
 *   npm run build && node dist/harness/bench/qrGuard.bench.js
 *
 * 1. A decompression bomb (a 64x64 PNG header over 400 MB of deflated zeros) handed to ZXing directly,
 *    and through decodeCameraFrame: time and the process's resident memory after each.
 * 2. The median CPU time over the QR bench's frames of decodeCameraFrame, of ZXing alone, and of the
 *    structure check with the bounded inflate alone.
 * A benchmark, not a test: nothing here asserts.
 */
import { cpus, loadavg } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { inflatedSize, inspectPng } from '../../agent/camera/pngInspect';
import { assemblePng, chunk, ihdr } from '../../agent/camera/synthetic/pngFiles';
import { readQrCodesInFile } from '../../agent/camera/zxingReader';
import { percentile } from '../statistics/percentile';
import { benchFrames } from './qrDecode.bench';

const mb = () => (process.memoryUsage().rss / 1e6).toFixed(0);

async function cpuMedian(frames: Buffer[], action: (png: Buffer) => Promise<unknown>): Promise<string> {
  const samples: number[] = [];
  for (const png of frames)
    for (let i = 0; i < 7; i++) {
      const start = process.cpuUsage();
      await action(png).catch(() => undefined);
      const used = process.cpuUsage(start);
      samples.push((used.user + used.system) / 1000);
    }
  return (percentile(samples, 50) ?? 0).toFixed(1);
}

async function main(): Promise<void> {
  console.log(
    `qrGuard on ${cpus().length} CPUs, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const frames = benchFrames()
    .filter((frame) => frame.expected !== null)
    .map((frame) => frame.png);
  await readQrCodesInFile(frames[0]!); // compiles the module before anything is measured

  const bomb = assemblePng([
    ihdr(64, 64, 8, 0),
    chunk('IDAT', deflateSync(Buffer.alloc(400_000_000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  let started = Date.now();
  const before = mb();
  const guarded = await decodeCameraFrame(bomb).catch((error: { code?: string }) => error.code);
  console.log(
    `bomb of ${bomb.length} bytes through decodeCameraFrame: ${String(guarded)} in ${Date.now() - started} ms, resident memory ${before} -> ${mb()} MB`,
  );
  started = Date.now();
  const direct = await readQrCodesInFile(bomb);
  console.log(
    `the same bomb handed to ZXing directly: ${direct.length} codes in ${Date.now() - started} ms, resident memory now ${mb()} MB`,
  );

  console.log(`median CPU over ${frames.length} frames, 7 runs each:`);
  console.log(`  decodeCameraFrame: ${await cpuMedian(frames, decodeCameraFrame)} ms`);
  console.log(`  ZXing alone: ${await cpuMedian(frames, readQrCodesInFile)} ms`);
  console.log(
    `  structure check and bounded inflate alone: ${await cpuMedian(frames, async (png) => {
      const info = inspectPng(png);
      inflateSync(Buffer.concat(info.idat), { maxOutputLength: inflatedSize(info) });
    })} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
