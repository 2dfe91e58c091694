/**
 * What the camera's bounded inflate (decodeCameraFrame.ts) guards against, and what each stage costs:
 *
 *   npm run build && node dist/harness/bench/qrGuard.bench.js
 *
 * 1. A decompression bomb (a 64x64 PNG header over 400 MB of deflated zeros) handed to ZXing directly,
 *    and through decodeCameraFrame: time and the process's resident memory after each.
 * 2. The median CPU time over the QR bench's frames of decodeCameraFrame and of each of its stages (the
 *    structure check with the bounded inflate, luminance, ZXing), and of ZXing decoding the PNG file
 *    itself, as the camera did before it handed over luminance, and on RGBA pixels (readBarcodes's only
 *    pixel input).
 * A benchmark, not a test: nothing here asserts.
 */
import { cpus, loadavg } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { inflatedSize, inspectPng } from '../../agent/camera/pngInspect';
import { assemblePng, chunk, ihdr } from '../../agent/camera/synthetic/pngFiles';
import { writeLuminance } from '../../agent/camera/pngPixels';
import { PASSES, readQrCodes, readQrCodesWithReadBarcodes } from '../../agent/camera/zxingReader';
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
  await readQrCodesWithReadBarcodes(frames[0]!); // compiles the module before anything is measured

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
  const direct = await readQrCodesWithReadBarcodes(bomb);
  console.log(
    `the same bomb handed to ZXing directly: ${direct.length} codes in ${Date.now() - started} ms, resident memory now ${mb()} MB`,
  );

  console.log(`median CPU over ${frames.length} frames, 7 runs each:`);
  console.log(`  decodeCameraFrame: ${await cpuMedian(frames, decodeCameraFrame)} ms, of which`);
  const stages = await stageMedians(frames);
  console.log(`    structure check and bounded inflate: ${stages.inflate} ms`);
  console.log(`    luminance from the inflated data (pngPixels): ${stages.luminance} ms`);
  console.log(`    ZXing on the luminance (copied into its heap): ${stages.zxing} ms`);
  console.log(`    the same with LocalAverage alone (no GlobalHistogram pass first): ${stages.local} ms`);
  console.log(
    `  ZXing decoding the PNG file itself (readBarcodes, no guard): ${await cpuMedian(frames, readQrCodesWithReadBarcodes)} ms`,
  );
  console.log(
    `  ZXing on RGBA pixels (readBarcodes, which turns them into luminance; LocalAverage alone): ${stages.rgba} ms`,
  );
}

/** decodeCameraFrame's three stages, each timed apart on the same runs. */
async function stageMedians(
  frames: Buffer[],
): Promise<Record<'inflate' | 'luminance' | 'zxing' | 'local' | 'rgba', string>> {
  const samples = {
    inflate: [] as number[],
    luminance: [] as number[],
    zxing: [] as number[],
    local: [] as number[],
    rgba: [] as number[],
  };
  const cpuMs = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (const png of frames)
    for (let i = 0; i < 7; i++) {
      let start = process.cpuUsage();
      const info = inspectPng(png);
      const imageData = inflateSync(Buffer.concat(info.idat), { maxOutputLength: inflatedSize(info) });
      samples.inflate.push(cpuMs(start));
      start = process.cpuUsage();
      const luminance = new Uint8Array(info.width * info.height);
      writeLuminance(png, info, imageData, luminance);
      samples.luminance.push(cpuMs(start));
      start = process.cpuUsage();
      await readQrCodes(info.width, info.height, (pixels) => pixels.set(luminance));
      samples.zxing.push(cpuMs(start));
      start = process.cpuUsage();
      await readQrCodes(info.width, info.height, (pixels) => pixels.set(luminance), [PASSES[1]!]);
      samples.local.push(cpuMs(start));
      // The same pixels as ImageData would hold them, made before the clock starts.
      const rgba = new Uint8ClampedArray(luminance.length * 4).fill(255);
      for (let p = 0; p < luminance.length; p++)
        rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = luminance[p]!;
      start = process.cpuUsage();
      await readQrCodesWithReadBarcodes({ data: rgba, width: info.width, height: info.height });
      samples.rgba.push(cpuMs(start));
    }
  const median = (values: number[]) => (percentile(values, 50) ?? 0).toFixed(1);
  return {
    inflate: median(samples.inflate),
    luminance: median(samples.luminance),
    zxing: median(samples.zxing),
    local: median(samples.local),
    rgba: median(samples.rgba),
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
