/**
 * How fast the simulated camera reads a provisioning QR code from a 1280x720 camera frame.
 *
 *   npm run build && node dist/harness/bench/qrDecode.bench.js [--runs 41]
 *   npx ts-node harness/bench/qrDecode.bench.ts [--runs 41] [--save DIR] [--error-correction-only]
 *
 * Prints, for decodeCameraFrame on several frames, the wall-clock median and 90th percentile and the
 * median CPU time (on a shared machine other processes stretch wall time); then the PNG part of the
 * work, pngjs and jsQR alone on the same frame for comparison; then how each error-correction level
 * reads at a fixed printed size, under blur and under glare (the basis of renderQrPng's choice; about
 * a minute). A benchmark, not a test: nothing here asserts, and figures depend on the machine and its
 * load. --save DIR writes the frames as PNG files.
 *
 * Frames are built with the camera tests' own generator (agent/camera/testing/frames.ts) from the
 * backend's QR PNG, so the benchmark measures the frames the camera tests check; tsc compiles that
 * helper into dist/ because this file imports it.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { decodeLuminance } from '../../agent/camera/luminance';
import { buildProvisioningPayload, serializeProvisioningPayload } from '../../agent/provisioning/payload';
import { renderQrPng } from '../backend/qr/renderQrPng';
import {
  addGlare,
  addNoise,
  blur,
  clutter,
  createRaster,
  drawCode,
  qrcodeModules,
  type ErrorCorrection,
  type ModuleMatrix,
  type Raster,
} from '../../agent/camera/testing/frames';
import { percentile } from '../statistics/percentile';

const WIDTH = 1280;
const HEIGHT = 720;
const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';

/**
 * The code's modules read back from the backend's own PNG (1 pixel per module, quiet zone dropped), as
 * the camera tests' frames (agent/camera/testing/frames.ts) take them; other error-correction levels come
 * from the same encoder, since renderQrPng is fixed at M.
 */
function backendCode(text: string, errorCorrection?: ErrorCorrection): ModuleMatrix {
  if (errorCorrection && errorCorrection !== 'M') return qrcodeModules(text, errorCorrection);
  const png = PNG.sync.read(renderQrPng(text, { modulePixels: 1 }));
  const quiet = 4;
  return {
    size: png.width - 2 * quiet,
    dark: (row, col) => png.data[((row + quiet) * png.width + col + quiet) * 4]! < 128,
  };
}

interface Shot {
  modulePixels: number;
  angleDegrees: number;
  /** Sensor noise, standard deviation in grey levels. */
  noise: number;
  /** Box-blur passes of radius 1 (focus): 1 is about 0.8 px of Gaussian blur, 2 about 1.15 px. */
  blurPasses: number;
  background: 'desk' | 'flat';
  seed: number;
  width?: number;
  height?: number;
  /** A specular reflection: a saturated disc of this radius (in modules) centred on module (u, v). */
  glare?: { radiusModules: number; u: number; v: number };
}

/**
 * A camera's view of the code, built with the camera tests' own frame generator: a cluttered desk (or
 * flat paper), the code printed with its quiet zone, turned and anti-aliased, glare, focus blur, sensor
 * noise. Greyscale; toPng tints it for the RGB formats.
 */
function cameraFrame(code: ModuleMatrix, shot: Shot): Raster {
  const width = shot.width ?? WIDTH;
  const height = shot.height ?? HEIGHT;
  const paper = createRaster(width, height, shot.background === 'flat' ? 235 : 255);
  const scene = shot.background === 'flat' ? paper : clutter(paper, shot.seed, 11);
  const centerX = width / 2 + 13.3;
  const centerY = height / 2 - 7.6;
  const angleDegrees = shot.angleDegrees;
  let frame = drawCode(scene, code, {
    centerX,
    centerY,
    modulePixels: shot.modulePixels,
    angleDegrees,
    dark: 25,
    light: 245,
  });
  if (shot.glare) {
    // The glare's centre is given in modules of the printed code (quiet zone included).
    const half = ((code.size + 8) * shot.modulePixels) / 2;
    const angle = (angleDegrees * Math.PI) / 180;
    const u = shot.glare.u * shot.modulePixels - half;
    const v = shot.glare.v * shot.modulePixels - half;
    frame = addGlare(
      frame,
      centerX + u * Math.cos(angle) - v * Math.sin(angle),
      centerY + u * Math.sin(angle) + v * Math.cos(angle),
      shot.glare.radiusModules * shot.modulePixels,
    );
  }
  // A box-blur pass of radius 1 has a variance of 2/3 pixel²: the same focus as a Gaussian of that sigma.
  if (shot.blurPasses > 0) frame = blur(frame, Math.sqrt((2 / 3) * shot.blurPasses));
  return addNoise(frame, shot.noise, shot.seed);
}

/** PNG as a camera app writes it (pngjs: zlib plus adaptive row filters, like libpng); RGB slightly warm. */
function toPng(frame: Raster, format: 'rgb' | 'rgba' | 'grey'): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height });
  const bytes = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
  for (let p = 0; p < frame.width * frame.height; p++) {
    const grey = frame.data[p]!;
    const tint = format === 'grey' ? [1, 1, 1] : [1.02, 1, 0.9];
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = bytes(grey * tint[c]!);
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: format === 'rgba' ? 6 : format === 'rgb' ? 2 : 0 });
}

/**
 * Median and 90th percentile of wall time, and median CPU time (user + system of this process). On a
 * shared machine other processes stretch wall time; CPU time shows what the decode itself costs.
 */
function measure(runs: number, action: () => unknown): { median: number; p90: number; cpu: number } {
  for (let i = 0; i < 5; i++) action(); // warm the JIT
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    action();
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((used.user + used.system) / 1e3);
  }
  return { median: percentile(wall, 50)!, p90: percentile(wall, 90)!, cpu: percentile(cpu, 50)! };
}

function attempt(action: () => unknown): string {
  try {
    action();
    return 'read';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

function main(argv: string[]): void {
  if (argv.includes('--error-correction-only')) {
    errorCorrectionComparison(serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN })));
    return;
  }
  const runsIndex = argv.indexOf('--runs');
  const runs =
    runsIndex >= 0 && Number(argv[runsIndex + 1]) >= 1 ? Math.floor(Number(argv[runsIndex + 1])) : 41;
  const text = serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }));
  const code = backendCode(text);
  const phone: Shot = {
    modulePixels: 5,
    angleDegrees: 8,
    noise: 3,
    blurPasses: 1,
    background: 'desk',
    seed: 1,
  };

  const frames: [string, Buffer][] = [
    [
      'phone photo, RGB PNG: code 5 px/module (485 px), turned 8 deg, blur, noise, desk',
      toPng(cameraFrame(code, phone), 'rgb'),
    ],
    ['same frame as 8-bit greyscale PNG', toPng(cameraFrame(code, phone), 'grey')],
    ['same frame as RGBA PNG', toPng(cameraFrame(code, phone), 'rgba')],
    [
      'small code, RGB PNG: 3 px/module, turned 17 deg, blur, noise',
      toPng(cameraFrame(code, { ...phone, modulePixels: 3, angleDegrees: 17, seed: 2 }), 'rgb'),
    ],
    [
      'composited frame, RGBA PNG: code pasted upright at 4 px/module on a flat background',
      toPng(
        cameraFrame(code, {
          modulePixels: 4,
          angleDegrees: 0,
          noise: 0,
          blurPasses: 0,
          background: 'flat',
          seed: 3,
        }),
        'rgba',
      ),
    ],
    [
      'no code: the desk alone, RGB PNG (QR_NOT_FOUND)',
      toPng(cameraFrame(code, { ...phone, modulePixels: 0.001, seed: 4 }), 'rgb'),
    ],
  ];

  const saveIndex = argv.indexOf('--save');
  if (saveIndex >= 0) {
    // The frames as files, to look at or to feed to `stagesim qr decode`.
    const folder = argv[saveIndex + 1] ?? '.';
    frames.forEach(([, png], i) => writeFileSync(join(folder, `qr-bench-frame-${i + 1}.png`), png));
  }

  console.log(
    `decodeCameraFrame on ${WIDTH}x${HEIGHT} frames, ${runs} runs each (node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`,
  );
  for (const [label, png] of frames) {
    const outcome = attempt(() => decodeCameraFrame(png));
    const { median, p90, cpu } = measure(runs, () => attempt(() => decodeCameraFrame(png)));
    console.log(
      `  median ${median.toFixed(1).padStart(6)} ms  p90 ${p90.toFixed(1).padStart(6)} ms  cpu ${cpu.toFixed(1).padStart(6)} ms  ${outcome.padEnd(13)} ${label} (${(png.length / 1e6).toFixed(2)} MB)`,
    );
  }

  const [, photo] = frames[0]!;
  const greenPart = measure(runs, () => decodeLuminance(photo, 'green'));
  const lumaPart = measure(runs, () => decodeLuminance(photo, 'luma'));
  const pngjsPart = measure(Math.min(runs, 15), () => PNG.sync.read(photo));
  const line = (what: string, m: { median: number; cpu: number }, extra = '') =>
    console.log(
      `  median ${m.median.toFixed(1).padStart(6)} ms  cpu ${m.cpu.toFixed(1).padStart(6)} ms  ${what}${extra}`,
    );
  console.log('\nthe RGB photo, by part:');
  line('PNG -> green channel (inflate, unfilter G only): what decodeCameraFrame reads first', greenPart);
  line('PNG -> Rec. 709 luma (all three channels unfiltered)', lumaPart);
  line('pngjs decoding the same PNG to RGBA, for comparison', pngjsPart);
  const rgba = PNG.sync.read(photo).data;
  const pixels = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length);
  for (const inversionAttempts of ['dontInvert', 'attemptBoth'] as const) {
    const read = jsQR(pixels, WIDTH, HEIGHT, { inversionAttempts })?.data === text ? 'read' : 'not read';
    line(
      `jsQR alone on the decoded RGBA pixels (${inversionAttempts}), for comparison`,
      measure(Math.min(runs, 15), () => jsQR(pixels, WIDTH, HEIGHT, { inversionAttempts })),
      `: ${read}`,
    );
  }

  errorCorrectionComparison(text);
}

/**
 * Error-correction levels compared as a camera meets them: the same printed size for every level (so
 * higher levels get smaller modules), first under focus blur and noise at shrinking sizes, then with a
 * specular reflection wiping out a growing disc of the code at a comfortable size. 720x720 frames,
 * 8 shots per cell (4 angles x 2 seeds).
 */
function errorCorrectionComparison(text: string): void {
  const levels = ['L', 'M', 'Q', 'H'] as const;
  const codes = levels.map((level) => backendCode(text, level));
  const reads = (
    code: ReturnType<typeof backendCode>,
    shot: (angleDegrees: number, seed: number) => Shot,
  ) => {
    let read = 0;
    for (const angleDegrees of [0, 17, 45, 72]) {
      for (const seed of [11, 12]) {
        if (
          attempt(() => decodeCameraFrame(toPng(cameraFrame(code, shot(angleDegrees, seed)), 'grey'))) ===
          'read'
        )
          read++;
      }
    }
    return `${read}/8`;
  };
  // 720 square: room for the largest print turned by 45 degrees.
  const small = { width: 720, height: 720, noise: 6, background: 'desk' as const };

  const sizes = [260, 300, 340, 400];
  console.log(
    '\nerror correction, printed size (px, quiet zone included) under focus blur (~1.15 px) and noise:',
  );
  console.log(`  level  version  ${sizes.map((size) => `${size} px`.padStart(8)).join('')}`);
  levels.forEach((level, i) => {
    const code = codes[i]!;
    const cells = sizes.map((size) =>
      reads(code, (angleDegrees, seed) => ({
        ...small,
        modulePixels: size / code.size,
        angleDegrees,
        blurPasses: 2,
        seed,
      })),
    );
    console.log(
      `  ${level}      ${String((code.size - 25) / 4).padEnd(7)}  ${cells.map((cell) => cell.padStart(8)).join('')}`,
    );
  });

  const radii = [8, 12, 16, 20];
  console.log(
    'error correction, 400 px print with a reflection of radius r modules over the data (light blur and noise):',
  );
  console.log(`  level  ${radii.map((r) => `r=${r}`.padStart(8)).join('')}`);
  levels.forEach((level, i) => {
    const code = codes[i]!;
    // Centred between the finders' corner and the middle: data, away from the three finders.
    const glareAt = { u: code.size * 0.6, v: code.size * 0.4 };
    const cells = radii.map((radiusModules) =>
      reads(code, (angleDegrees, seed) => ({
        ...small,
        modulePixels: 400 / code.size,
        angleDegrees,
        blurPasses: 1,
        seed,
        glare: { radiusModules, ...glareAt },
      })),
    );
    console.log(`  ${level}      ${cells.map((cell) => cell.padStart(8)).join('')}`);
  });
}

if (require.main === module) main(process.argv.slice(2));
