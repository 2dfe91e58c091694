import QRCode from 'qrcode';
import qrcodeGenerator from 'qrcode-generator';
import { homographyFrom, type Point } from './geometry';
import { seededRandom } from '../../seededRandom';

// Hot loops use these local names: under jest every lookup of a global such as `Math` goes through
// the sandbox's global object and costs about 30x more, which made the test suite crawl.
const { floor, ceil, min, max, round } = Math;
const SQRT_3 = Math.sqrt(3);

/**
 * Synthetic camera frames for the camera tests: a greyscale raster (0 black,
 * 255 white, fractional values allowed so blur and noise do not round twice), codes drawn into it at any
 * size and angle with anti-aliasing, and the degradations a phone camera adds.
 */
export interface Raster {
  width: number;
  height: number;
  /** Row-major luminance, 0..255. */
  data: Float32Array;
}

/** Dark modules as true, row-major, without a quiet zone. */
export interface ModuleMatrix {
  size: number;
  dark: (row: number, col: number) => boolean;
}

export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export function createRaster(width: number, height: number, fill = 255): Raster {
  return { width, height, data: new Float32Array(width * height).fill(fill) };
}

/** The modules of `text` as the project's encoder (qrcode) lays them out. */
export function qrcodeModules(text: string, errorCorrection: ErrorCorrection = 'M'): ModuleMatrix {
  const code = QRCode.create(text, { errorCorrectionLevel: errorCorrection });
  return { size: code.modules.size, dark: (row, col) => code.modules.get(row, col) === 1 };
}

/** The modules of `text` from a second, independent encoder (other masks and segmentation). */
export function qrcodeGeneratorModules(text: string, errorCorrection: ErrorCorrection = 'M'): ModuleMatrix {
  const code = qrcodeGenerator(0, errorCorrection);
  code.addData(text, 'Byte');
  code.make();
  return { size: code.getModuleCount(), dark: (row, col) => code.isDark(row, col) };
}

export interface DrawOptions {
  /** Centre of the code in the frame; the frame's centre by default. */
  centerX?: number;
  centerY?: number;
  modulePixels: number;
  /** Clockwise rotation about the centre. */
  angleDegrees?: number;
  quietZoneModules?: number;
  dark?: number;
  light?: number;
}

/**
 * Draws the code with its quiet zone, as a printed sheet seen by a camera: each pixel is the average of
 * 4x4 samples of the rotated code, so module edges are grey like a real sensor's.
 */
export function drawCode(frame: Raster, modules: ModuleMatrix, options: DrawOptions): Raster {
  const quiet = options.quietZoneModules ?? 4;
  const cx = options.centerX ?? frame.width / 2;
  const cy = options.centerY ?? frame.height / 2;
  const angle = ((options.angleDegrees ?? 0) * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const fullModules = modules.size + 2 * quiet;
  const half = (fullModules * options.modulePixels) / 2;
  const reach = half * Math.SQRT2 + 1;
  // Inverse rotation: frame point back into the code's own axes, in modules.
  const toModules = (x: number, y: number) => {
    const dx = x - cx;
    const dy = y - cy;
    return {
      u: (dx * cos + dy * sin + half) / options.modulePixels,
      v: (-dx * sin + dy * cos + half) / options.modulePixels,
    };
  };
  return paint(
    frame,
    modules,
    options,
    { left: cx - reach, top: cy - reach, right: cx + reach, bottom: cy + reach },
    toModules,
  );
}

/**
 * Draws the code (with its quiet zone) onto the quadrilateral `corners` (top-left, top-right,
 * bottom-right, bottom-left of the quiet zone's outer edge): a sheet seen at an angle, in perspective.
 */
export function drawCodeInQuad(
  frame: Raster,
  modules: ModuleMatrix,
  corners: Point[],
  options: Omit<DrawOptions, 'modulePixels'> = {},
): Raster {
  const fullModules = modules.size + 2 * (options.quietZoneModules ?? 4);
  const square = [
    { x: 0, y: 0 },
    { x: fullModules, y: 0 },
    { x: fullModules, y: fullModules },
    { x: 0, y: fullModules },
  ];
  const inverse = homographyFrom(corners, square);
  if (!inverse) throw new Error('degenerate quadrilateral');
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  const toModules = (x: number, y: number) => {
    const p = inverse(x, y);
    return { u: p.x, v: p.y };
  };
  return paint(
    frame,
    modules,
    { ...options, modulePixels: 1 },
    { left: min(...xs), top: min(...ys), right: max(...xs), bottom: max(...ys) },
    toModules,
  );
}

function paint(
  frame: Raster,
  modules: ModuleMatrix,
  options: DrawOptions,
  box: { left: number; top: number; right: number; bottom: number },
  toModules: (x: number, y: number) => { u: number; v: number },
): Raster {
  const quiet = options.quietZoneModules ?? 4;
  const dark = options.dark ?? 0;
  const light = options.light ?? 255;
  const fullModules = modules.size + 2 * quiet;
  const SUB = 4;
  for (let y = max(0, floor(box.top)); y < min(frame.height, ceil(box.bottom) + 1); y++) {
    for (let x = max(0, floor(box.left)); x < min(frame.width, ceil(box.right) + 1); x++) {
      let inside = 0;
      let darkSum = 0;
      for (let sy = 0; sy < SUB; sy++) {
        for (let sx = 0; sx < SUB; sx++) {
          const { u, v } = toModules(x + (sx + 0.5) / SUB, y + (sy + 0.5) / SUB);
          if (u < 0 || v < 0 || u >= fullModules || v >= fullModules) continue;
          inside++;
          const col = floor(u) - quiet;
          const row = floor(v) - quiet;
          if (row >= 0 && col >= 0 && row < modules.size && col < modules.size && modules.dark(row, col))
            darkSum++;
        }
      }
      if (inside === 0) continue;
      const index = y * frame.width + x;
      const codeValue = (darkSum * dark + (inside - darkSum) * light) / inside;
      const coverage = inside / (SUB * SUB);
      frame.data[index] = frame.data[index]! * (1 - coverage) + codeValue * coverage;
    }
  }
  return frame;
}

/** Gaussian blur (a focus miss); sigma in pixels. Separable, kernel cut at 3 sigma. */
export function blur(raster: Raster, sigma: number): Raster {
  const { width, height } = raster;
  const radius = max(1, ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((k) => k / total);
  const pass = (source: Float32Array, horizontal: boolean): Float32Array => {
    const target = new Float32Array(source.length);
    const length = horizontal ? width : height;
    const stride = horizontal ? 1 : width;
    const lines = horizontal ? height : width;
    for (let line = 0; line < lines; line++) {
      const base = horizontal ? line * width : line;
      for (let i = 0; i < length; i++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) {
          const j = i + k < 0 ? 0 : i + k >= length ? length - 1 : i + k;
          sum += source[base + j * stride]! * weights[k + radius]!;
        }
        target[base + i * stride] = sum;
      }
    }
    return target;
  };
  return { width, height, data: pass(pass(raster.data, true), false) };
}

/** Sensor noise: roughly normal (sum of uniforms), standard deviation `sigma` grey levels. */
export function addNoise(raster: Raster, sigma: number, seed = 1): Raster {
  const random = seededRandom(seed);
  const data = raster.data.map(
    (value) => value + (random() + random() + random() + random() - 2) * sigma * SQRT_3,
  );
  return { ...raster, data };
}

/** Maps black..white onto low..high: a dim screen, a grey print, a washed-out photo. */
export function adjustContrast(raster: Raster, low: number, high: number): Raster {
  return { ...raster, data: raster.data.map((value) => low + (value / 255) * (high - low)) };
}

/** A reflection: a disc of saturated white, as a screen or glossy print throws back a lamp. */
export function addGlare(raster: Raster, centerX: number, centerY: number, radius: number): Raster {
  const data = raster.data.slice();
  for (let y = max(0, floor(centerY - radius)); y < min(raster.height, ceil(centerY + radius)); y++) {
    for (let x = max(0, floor(centerX - radius)); x < min(raster.width, ceil(centerX + radius)); x++) {
      if ((x + 0.5 - centerX) ** 2 + (y + 0.5 - centerY) ** 2 < radius * radius)
        data[y * raster.width + x] = 255;
    }
  }
  return { ...raster, data };
}

export function invert(raster: Raster): Raster {
  return { ...raster, data: raster.data.map((value) => 255 - value) };
}

/** Random texture standing in for a cluttered scene around the code (desk, hands, a keyboard). */
export function clutter(raster: Raster, seed = 7, cell = 9): Raster {
  const random = seededRandom(seed);
  const cellsX = ceil(raster.width / cell);
  const shades = Float32Array.from(
    { length: cellsX * ceil(raster.height / cell) },
    () => 60 + random() * 170,
  );
  const data = new Float32Array(raster.data.length);
  for (let y = 0; y < raster.height; y++) {
    const cellRow = floor(y / cell) * cellsX;
    for (let x = 0; x < raster.width; x++) data[y * raster.width + x] = shades[cellRow + floor(x / cell)]!;
  }
  return { ...raster, data };
}

/** Whole-frame rotation by a multiple of 90 degrees (a phone held sideways). */
export function rotateQuarterTurns(raster: Raster, turns: number): Raster {
  const quarter = ((turns % 4) + 4) % 4;
  const swap = quarter % 2 === 1;
  const width = swap ? raster.height : raster.width;
  const height = swap ? raster.width : raster.height;
  const data = new Float32Array(width * height);
  for (let y = 0; y < raster.height; y++) {
    for (let x = 0; x < raster.width; x++) {
      const [nx, ny] =
        quarter === 0
          ? [x, y]
          : quarter === 1
            ? [raster.height - 1 - y, x]
            : quarter === 2
              ? [raster.width - 1 - x, raster.height - 1 - y]
              : [y, raster.width - 1 - x];
      data[ny * width + nx] = raster.data[y * raster.width + x]!;
    }
  }
  return { width, height, data };
}

/** Clamped, rounded 8-bit samples. */
export function toBytes(raster: Raster): Uint8Array {
  const bytes = new Uint8Array(raster.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = max(0, min(255, round(raster.data[i]!)));
  return bytes;
}

export interface SceneOptions extends DrawOptions {
  width?: number;
  height?: number;
  /** A cluttered desk around the code (default) or plain paper of the given grey. */
  background?: 'clutter' | number;
  seed?: number;
}

/** A camera frame with one code in it: the usual starting point before adding blur, noise and so on. */
export function codeFrame(modules: ModuleMatrix, options: SceneOptions): Raster {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const background = options.background ?? 'clutter';
  const paper = createRaster(width, height, background === 'clutter' ? 255 : background);
  return drawCode(background === 'clutter' ? clutter(paper, options.seed ?? 7) : paper, modules, options);
}
