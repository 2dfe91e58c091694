/**
 * How fast and how well the simulated camera reads a provisioning QR code from a camera frame.
 *
 *   npm run build && node dist/harness/bench/qrDecode.bench.js [--runs 21] [--json] [--save DIR]
 *       [--compare-with DIR] [--error-correction] [--options]
 *
 * Every frame is measured with each decoder in turn, in one run: stagesim's camera (decodeCameraFrame,
 * ZXing-C++ as WebAssembly) and jsQR alone on the whole frame (pngjs decoding it first), the independent
 * decoder the tests use to check rendered codes. `--compare-with DIR` adds the decodeCameraFrame of
 * another stagesim build (DIR holds its dist/), which is how the hand-written detector this replaced was
 * measured side by side (harness/bench/README.md). For each: frames read, the median and 95th percentile of wall time and the median CPU time (on a shared machine other processes stretch wall time).
 *
 * The frames come from the generator the camera tests use (agent/camera/synthetic), so the bench measures
 * what the tests check: the test suite's conditions (rotation, perspective, blur, noise, low contrast,
 * glare, a dark theme, another encoder, colour), all at 1280x720, then phone-photo scenes of the bench's
 * own making, and a frame with no code (which must not read). `--error-correction` adds how each
 * error-correction level reads at a fixed printed size under blur and glare (the basis of renderQrPng's
 * choice), `--options` what each of ZXing's reader options costs and reads (the basis of zxingReader's
 * choice). A benchmark, not a test: nothing here asserts; the target's verdict is printed.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { decodeCameraFrame } from '../../agent/camera/decodeCameraFrame';
import { inspectPng } from '../../agent/camera/pngInspect';
import { writeLuminance } from '../../agent/camera/pngPixels';
import { PASSES, READER_OPTIONS, readQrCodes, type ReaderOptions } from '../../agent/camera/zxingReader';
import {
  addGlare,
  addNoise,
  adjustContrast,
  blur,
  codeFrame,
  createRaster,
  drawCodeInQuad,
  invert,
  qrcodeGeneratorModules,
  qrcodeModules,
  type ErrorCorrection,
} from '../../agent/camera/synthetic/frames';
import { encodeColourPng, encodePng } from '../../agent/camera/synthetic/pngFiles';
import { buildProvisioningPayload, serializeProvisioningPayload } from '../../agent/provisioning/payload';
import { percentiles } from '../fleet/summary';

const WIDTH = 1280;
const HEIGHT = 720;
const TOKEN = 'K7PQ3MZX9WRT2HVB4NCE';
const PAYLOAD = serializeProvisioningPayload(buildProvisioningPayload({ token: TOKEN }));

/** The issue's target: every camera-like frame read, at a median of 10 ms or less on 1280x720. */
export const QR_TARGET = { medianMs: 10 };

export interface Frame {
  label: string;
  png: Buffer;
  /** What the frame holds: the text a decoder must read, or null for a frame with no code. */
  expected: string | null;
}

type Decoder = (png: Buffer) => Promise<string | null>;

/** The frames, built the same way on every run (seeded noise and clutter). */
export function benchFrames(): Frame[] {
  const modules = qrcodeModules(PAYLOAD);
  const frame = (label: string, png: Buffer, expected: string | null = PAYLOAD): Frame => ({
    label,
    png,
    expected,
  });
  const scene = (options: Parameters<typeof codeFrame>[1], what = modules) =>
    codeFrame(what, { width: WIDTH, height: HEIGHT, ...options });
  const other = qrcodeGeneratorModules(PAYLOAD, 'H');
  const near = 380;
  const far = near * 0.88;
  return [
    frame(
      'tests: 3 px/module, upright, between pixels',
      encodePng(scene({ modulePixels: 3, centerX: 640.5 }), 'grey'),
    ),
    frame(
      'tests: turned 45 deg, 3.5 px/module',
      encodePng(scene({ modulePixels: 3.5, angleDegrees: 45 }), 'grey'),
    ),
    frame(
      'tests: sheet seen off-axis (right edge at 0.88)',
      encodePng(
        addNoise(
          blur(
            drawCodeInQuad(createRaster(WIDTH, HEIGHT, 210), modules, [
              { x: 400, y: 160 },
              { x: 760, y: 160 + (near - far) / 2 },
              { x: 760, y: 160 + (near + far) / 2 },
              { x: 400, y: 160 + near },
            ]),
            0.7,
          ),
          4,
        ),
        'grey',
      ),
    ),
    frame(
      'tests: focus off by 0.25 module, noise 10, turned 131 deg',
      encodePng(addNoise(blur(scene({ modulePixels: 4, angleDegrees: 131 }), 1), 10, 131), 'grey'),
    ),
    frame(
      'tests: low contrast (a grey print, 110-160)',
      encodePng(
        addNoise(adjustContrast(scene({ modulePixels: 4, angleDegrees: 21 }), 110, 160), 3, 110),
        'grey',
      ),
    ),
    frame(
      'tests: reflection over data and an alignment pattern',
      encodePng(
        blur(addGlare(scene({ modulePixels: 4, background: 240 }), WIDTH / 2 + 64, HEIGHT / 2 + 36, 32), 0.6),
        'grey',
      ),
    ),
    frame(
      'tests: light code on a dark screen',
      encodePng(invert(blur(scene({ modulePixels: 4, angleDegrees: 33, background: 250 }), 0.8)), 'grey'),
    ),
    frame(
      'tests: another encoder (qrcode-generator, level H), turned 27 deg',
      encodePng(
        scene({ modulePixels: Math.min(8, 500 / ((other.size + 8) * 1.3)), angleDegrees: 27 }, other),
        'grey',
      ),
    ),
    frame(
      'tests: contrast nearly all in red and blue (RGB)',
      encodeColourPng(
        scene({ modulePixels: 4, angleDegrees: 5, background: 255 }),
        [0, 110, 0],
        [255, 125, 255],
      ),
    ),
    frame(
      'bench: phone photo, RGB: 5 px/module, turned 8 deg, blur, noise, desk',
      encodeColourPng(
        addNoise(blur(scene({ modulePixels: 5, angleDegrees: 8, seed: 1 }), 0.8), 3),
        [25, 25, 30],
        [245, 240, 225],
      ),
    ),
    frame(
      'bench: phone photo, greyscale',
      encodePng(addNoise(blur(scene({ modulePixels: 5, angleDegrees: 8, seed: 1 }), 0.8), 3), 'grey'),
    ),
    frame(
      'bench: phone photo, RGBA',
      encodePng(addNoise(blur(scene({ modulePixels: 5, angleDegrees: 8, seed: 1 }), 0.8), 3), 'rgba'),
    ),
    frame(
      'bench: small code, 3 px/module, turned 17 deg, blur, noise',
      encodePng(addNoise(blur(scene({ modulePixels: 3, angleDegrees: 17, seed: 2 }), 0.8), 6, 2), 'rgb'),
    ),
    frame(
      'bench: upright paste at 4 px/module on flat paper, RGBA',
      encodePng(scene({ modulePixels: 4, background: 235 }), 'rgba'),
    ),
    frame(
      'bench: no code, the desk alone',
      encodePng(scene({ modulePixels: 4, centerX: -2000, seed: 4 }), 'rgb'),
      null,
    ),
  ];
}

const readsWith =
  (decode: (png: Buffer) => unknown): Decoder =>
  async (png) => {
    try {
      const scan = (await decode(png)) as { text: string };
      return scan.text;
    } catch (error) {
      if ((error as { code?: string }).code === 'QR_NOT_FOUND') return null;
      throw error;
    }
  };

const jsQrAlone: Decoder = async (png) => {
  const { data, width, height } = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  return jsQR(pixels, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
};

export interface DecoderFigures {
  decoder: string;
  read: number;
  /** Camera-like frames, the no-code frame excepted. */
  frames: number;
  /** Frames with no code that the decoder claimed to read. */
  falseReads: number;
  /** Over every run of every camera-like frame. */
  medianMs: number;
  p95Ms: number;
  cpuMedianMs: number;
  perFrame: { label: string; outcome: 'read' | 'not read' | 'misread'; medianMs: number; cpuMs: number }[];
}

async function measure(
  name: string,
  decode: Decoder,
  frames: Frame[],
  runs: number,
): Promise<DecoderFigures> {
  const wall: number[] = [];
  const cpu: number[] = [];
  const perFrame: DecoderFigures['perFrame'] = [];
  let read = 0;
  let falseReads = 0;
  for (const frame of frames) {
    const text = await decode(frame.png); // also warms the JIT and, for ZXing, compiles the module
    const outcome = text === frame.expected ? 'read' : text === null ? 'not read' : 'misread';
    if (frame.expected === null) {
      if (text !== null) falseReads++;
    } else if (outcome === 'read') read++;
    const frameWall: number[] = [];
    const frameCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      const startCpu = process.cpuUsage();
      await decode(frame.png);
      const used = process.cpuUsage(startCpu);
      frameWall.push(Number(process.hrtime.bigint() - start) / 1e6);
      frameCpu.push((used.user + used.system) / 1e3);
    }
    if (frame.expected !== null) {
      wall.push(...frameWall);
      cpu.push(...frameCpu);
    }
    perFrame.push({
      label: frame.label,
      outcome: frame.expected === null ? (text === null ? 'not read' : 'misread') : outcome,
      medianMs: percentiles(frameWall).p50 ?? 0,
      cpuMs: percentiles(frameCpu).p50 ?? 0,
    });
  }
  const all = percentiles(wall);
  return {
    decoder: name,
    read,
    frames: frames.filter((frame) => frame.expected !== null).length,
    falseReads,
    medianMs: all.p50 ?? 0,
    p95Ms: all.p95 ?? 0,
    cpuMedianMs: percentiles(cpu).p50 ?? 0,
    perFrame,
  };
}

export interface QrBenchResult {
  runs: number;
  loadAverage: number;
  decoders: DecoderFigures[];
  /** stagesim's own decoder against QR_TARGET. */
  target: { medianMs: number; met: boolean };
}

export async function runQrBench(
  options: { runs: number; compareWith?: string },
  frames = benchFrames(),
): Promise<QrBenchResult> {
  const decoders: [string, Decoder][] = [['stagesim camera (ZXing-C++ wasm)', readsWith(decodeCameraFrame)]];
  if (options.compareWith) {
    const other = (await import(resolve(options.compareWith, 'dist/agent/camera/decodeCameraFrame.js'))) as {
      decodeCameraFrame: (png: Buffer) => unknown;
    };
    decoders.push([`decodeCameraFrame of ${options.compareWith}`, readsWith(other.decodeCameraFrame)]);
  }
  decoders.push(['jsQR alone on the whole frame (pngjs first)', jsQrAlone]);
  const loadAverage = loadavg()[0]!;
  const figures: DecoderFigures[] = [];
  for (const [name, decode] of decoders) figures.push(await measure(name, decode, frames, options.runs));
  const own = figures[0]!;
  return {
    runs: options.runs,
    loadAverage,
    decoders: figures,
    target: {
      medianMs: QR_TARGET.medianMs,
      met: own.read === own.frames && own.falseReads === 0 && own.medianMs <= QR_TARGET.medianMs,
    },
  };
}

export function printQrBench(result: QrBenchResult, frames: Frame[], out = console.log): void {
  out(
    `QR decode on ${frames.length} frames (${WIDTH}x${HEIGHT} but for none), ${result.runs} runs each (node ${process.version}, load average ${result.loadAverage.toFixed(1)} on ${cpus().length} CPUs)`,
  );
  for (const figures of result.decoders) {
    out(
      `  ${figures.decoder}: read ${figures.read}/${figures.frames}${figures.falseReads ? `, ${figures.falseReads} false read(s)` : ''}; median ${figures.medianMs.toFixed(1)} ms, p95 ${figures.p95Ms.toFixed(1)} ms, cpu ${figures.cpuMedianMs.toFixed(1)} ms`,
    );
    for (const frame of figures.perFrame)
      out(
        `      ${frame.outcome.padEnd(8)} median ${frame.medianMs.toFixed(1).padStart(6)} ms  cpu ${frame.cpuMs.toFixed(1).padStart(6)} ms  ${frame.label}`,
      );
  }
  const own = result.decoders[0]!;
  out(
    `  target: every frame read at a median of ${result.target.medianMs} ms or less: ${result.target.met ? 'met' : 'NOT MET'} (${own.read}/${own.frames} read, median ${own.medianMs.toFixed(1)} ms)`,
  );
}

/**
 * Error-correction levels compared as a camera meets them: the same printed size for every level (so
 * higher levels get smaller modules), under focus blur and noise at shrinking sizes, then with a
 * specular reflection over a growing disc of the code. 720x720 frames, 8 shots per cell.
 */
async function errorCorrectionComparison(out = console.log): Promise<void> {
  const levels: ErrorCorrection[] = ['L', 'M', 'Q', 'H'];
  const reads = async (draw: (angleDegrees: number, seed: number) => Buffer) => {
    let read = 0;
    for (const angleDegrees of [0, 17, 45, 72])
      for (const seed of [11, 12])
        if ((await readsWith(decodeCameraFrame)(draw(angleDegrees, seed))) === PAYLOAD) read++;
    return `${read}/8`;
  };
  const sizes = [180, 220, 260, 300];
  out('\nerror correction, printed size (px, quiet zone included) under focus blur (1.1 px) and noise 6:');
  out(`  level  version  ${sizes.map((size) => `${size} px`.padStart(8)).join('')}`);
  for (const level of levels) {
    const modules = qrcodeModules(PAYLOAD, level);
    const cells: string[] = [];
    for (const size of sizes) {
      const modulePixels = size / (modules.size + 8);
      cells.push(
        await reads((angleDegrees, seed) =>
          encodePng(
            addNoise(
              blur(codeFrame(modules, { width: 720, height: 720, modulePixels, angleDegrees, seed }), 1.1),
              6,
              seed,
            ),
            'grey',
          ),
        ),
      );
    }
    out(
      `  ${level.padEnd(5)}  ${String((modules.size - 17) / 4).padEnd(7)}  ${cells.map((cell) => cell.padStart(8)).join('')}`,
    );
  }
  const glares = [8, 12, 16, 20];
  out('\nerror correction at 400 px printed, a reflection of radius (modules of the M code) over the data:');
  out(`  level  ${glares.map((radius) => `r ${radius}`.padStart(8)).join('')}`);
  for (const level of levels) {
    const modules = qrcodeModules(PAYLOAD, level);
    const modulePixels = 400 / (modules.size + 8);
    const cells: string[] = [];
    for (const radius of glares) {
      cells.push(
        await reads((angleDegrees, seed) => {
          const frame = codeFrame(modules, {
            width: 720,
            height: 720,
            modulePixels,
            angleDegrees,
            seed,
            background: 240,
          });
          // The same physical disc for every level: radius in pixels of the M code's modules.
          return encodePng(addGlare(frame, 360 + 40 + seed, 360 + 25, (radius * 400) / 97), 'grey');
        }),
      );
    }
    out(`  ${level.padEnd(5)}  ${cells.map((cell) => cell.padStart(8)).join('')}`);
  }
}

/**
 * What each of ZXing's reader options costs and reads: the camera's options, then one changed at a time,
 * on the bench's frames with a code and two of a large code under heavy noise (where downscaling
 * helps). ZXing alone is timed, on luminance made before the clock starts.
 */
async function optionsComparison(frames: Frame[], runs: number, out = console.log): Promise<void> {
  const noisy = (angleDegrees: number) =>
    encodePng(
      addNoise(
        blur(
          codeFrame(qrcodeModules(PAYLOAD), {
            width: WIDTH,
            height: HEIGHT,
            modulePixels: 6,
            angleDegrees,
            seed: 3,
          }),
          2,
        ),
        25,
        5,
      ),
      'grey',
    );
  const images = [
    ...frames.filter((frame) => frame.expected !== null).map((frame) => frame.png),
    noisy(0),
    noisy(20),
  ].map((png) => {
    const info = inspectPng(png);
    const luminance = new Uint8Array(info.width * info.height);
    writeLuminance(png, info, inflateSync(Buffer.concat(info.idat)), luminance);
    return { info, luminance };
  });
  const variants: [string, ReaderOptions[] | undefined][] = [
    [
      `the camera's: ${PASSES.map((pass) => pass.binarizer).join(', then ')}, over ${JSON.stringify(READER_OPTIONS)}`,
      undefined,
    ],
    ["LocalAverage alone (ZXing's default binarizer)", [{ binarizer: 'LocalAverage' }]],
    ['GlobalHistogram alone', [{ binarizer: 'GlobalHistogram' }]],
    ['LocalAverage alone, tryHarder off', [{ binarizer: 'LocalAverage', tryHarder: false }]],
    ['LocalAverage alone, tryDownscale off', [{ binarizer: 'LocalAverage', tryDownscale: false }]],
    ['LocalAverage alone, tryInvert off', [{ binarizer: 'LocalAverage', tryInvert: false }]],
    ['LocalAverage alone, tryRotate on', [{ binarizer: 'LocalAverage', tryRotate: true }]],
    [
      'LocalAverage alone, maxNumberOfSymbols 0 (every code)',
      [{ binarizer: 'LocalAverage', maxNumberOfSymbols: 0 }],
    ],
  ];
  out(
    `\nZXing options, ${images.length - 2} bench frames and 2 of a large code under heavy noise, ${runs} runs each:`,
  );
  for (const [name, options] of variants) {
    const cpu: number[] = [];
    const reads: string[] = [];
    for (const { info, luminance } of images) {
      const read = () => readQrCodes(info.width, info.height, (pixels) => pixels.set(luminance), options);
      reads.push((await read())[0]?.text === PAYLOAD ? 'R' : '.');
      for (let i = 0; i < runs; i++) {
        const start = process.cpuUsage();
        await read();
        const used = process.cpuUsage(start);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    out(`  ${reads.join('')}  cpu median ${(percentiles(cpu).p50 ?? 0).toFixed(2)} ms  ${name}`);
  }
}

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const runs = Math.max(1, Math.floor(Number(option(argv, '--runs') ?? 21)) || 21);
  const frames = benchFrames();
  const save = option(argv, '--save');
  if (save) frames.forEach((frame, i) => writeFileSync(join(save, `qr-bench-frame-${i + 1}.png`), frame.png));
  const result = await runQrBench({ runs, compareWith: option(argv, '--compare-with') }, frames);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  printQrBench(result, frames);
  if (argv.includes('--error-correction')) await errorCorrectionComparison();
  if (argv.includes('--options')) await optionsComparison(frames, runs);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
