import { affineFrom, distance, homographyFrom, type Mapping, type Point } from './geometry';
import type { BinaryImage } from './binarize';
import type { FinderPattern } from './finderPatterns';

// Local names for the Math functions of hot loops: under jest, each lookup of the global `Math` costs
// about 30x more (it goes through the sandbox's global object), which slowed the camera tests badly.
const { floor } = Math;

/**
 * Turns three finder patterns into the code's module grid: which trio is a code, how many modules it has,
 * where every module lies in the frame, and which modules are dark.
 *
 * Why not let jsQR do this: jsQR (like ZXing) derives the module count from a module size measured on
 * the finder patterns, and at about 3 pixels per module that measure is off by a few percent, which for a
 * version 18 code (89 modules, what a provisioning payload needs) means a wrong version and no decode;
 * on stagesim's test frames jsQR alone failed about half of the 3-pixel codes. Here each plausible module
 * count is instead tried against the timing patterns (the alternating rows between the finders), which
 * only the true count matches. The grid is then mapped through the bottom-right alignment pattern, as a
 * camera sees a flat code in perspective, and sampled.
 */

export interface ModuleGrid {
  /** Modules per side, 21 to 177. */
  size: number;
  /** size * size, row-major; 1 for a dark module. */
  dark: Uint8Array;
  /** The symbol's corners in frame pixels (not counting the quiet zone). */
  corners: { topLeft: Point; topRight: Point; bottomRight: Point; bottomLeft: Point };
  /** Share of the fixed patterns (finders, timing) sampled as the specification draws them. */
  structureScore: number;
}

const MAX_FINDERS = 12;
const MAX_TRIOS = 16;
/** Below this share of matching fixed modules the trio is not a code (or not readable). */
const MIN_STRUCTURE_SCORE = 0.85;
const MIN_TIMING_SCORE = 0.7;
/** Where a module is sampled, in modules from its centre. */
const MODULE_SAMPLES = [
  [0, 0],
  [-0.12, -0.12],
  [0.12, -0.12],
  [-0.12, 0.12],
  [0.12, 0.12],
] as const;

export function* moduleGrids(image: BinaryImage, finders: FinderPattern[]): Generator<ModuleGrid> {
  const sampler = new Sampler(image);
  const pool = finders
    .slice()
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_FINDERS);

  const trios: { score: number; topLeft: FinderPattern; topRight: FinderPattern; bottomLeft: FinderPattern }[] = [];
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      for (let k = j + 1; k < pool.length; k++) {
        const trio = orderTrio(pool[i]!, pool[j]!, pool[k]!);
        if (trio) trios.push(trio);
      }
    }
  }
  trios.sort((a, b) => a.score - b.score);
  for (const trio of trios.slice(0, MAX_TRIOS)) {
    const grid = fitGrid(sampler, trio.topLeft, trio.topRight, trio.bottomLeft);
    if (grid) yield grid;
  }
}

/**
 * Three finders of one code form a right isosceles triangle whose right angle is the top-left finder.
 * Returns them in order with a score (0 is perfect), or undefined when they cannot be one code.
 */
function orderTrio(a: FinderPattern, b: FinderPattern, c: FinderPattern) {
  const sizes = [a.moduleSize, b.moduleSize, c.moduleSize];
  const meanSize = (sizes[0]! + sizes[1]! + sizes[2]!) / 3;
  if (Math.max(...sizes) > 1.6 * Math.min(...sizes)) return undefined;
  const ab = distance(a, b);
  const ac = distance(a, c);
  const bc = distance(b, c);
  let corner: FinderPattern, p: FinderPattern, q: FinderPattern, hypotenuse: number, leg1: number, leg2: number;
  if (bc >= ab && bc >= ac) [corner, p, q, hypotenuse, leg1, leg2] = [a, b, c, bc, ab, ac];
  else if (ac >= ab) [corner, p, q, hypotenuse, leg1, leg2] = [b, a, c, ac, ab, bc];
  else [corner, p, q, hypotenuse, leg1, leg2] = [c, a, b, ab, ac, bc];
  const legRatio = Math.min(leg1, leg2) / Math.max(leg1, leg2);
  const rightAngle = hypotenuse / Math.hypot(leg1, leg2);
  // Perspective skews the triangle; beyond these bounds the finders belong to different things.
  if (legRatio < 0.7 || rightAngle < 0.85 || rightAngle > 1.15) return undefined;
  // The apparent module size is up to sqrt(2) times the true one; version 1 has 14 modules between centres.
  const legModules = Math.min(leg1, leg2) / meanSize;
  if (legModules < 9 || Math.max(leg1, leg2) / meanSize > 240) return undefined;
  // In image coordinates (y down) top-right x bottom-left is positive for an upright code.
  const cross = (p.x - corner.x) * (q.y - corner.y) - (p.y - corner.y) * (q.x - corner.x);
  const [topRight, bottomLeft] = cross > 0 ? [p, q] : [q, p];
  const spread = (Math.max(...sizes) - Math.min(...sizes)) / meanSize;
  const geometry = 1 - legRatio + Math.abs(1 - rightAngle) + spread / 4;
  // Finders confirmed by many scan lines first: inside a code's data, at some angles, patches pass for
  // small finders in perfect little grids, but each is seen by one line only.
  const doubt = (1 / a.count + 1 / b.count + 1 / c.count) / 2;
  return { score: geometry + doubt, topLeft: corner, topRight, bottomLeft };
}

class Sampler {
  private readonly ink: Uint8Array;
  private readonly luminance: Uint8Array;
  private readonly thresholds: Float32Array;
  private readonly blocksX: number;
  private readonly width: number;
  private readonly height: number;

  constructor(image: BinaryImage) {
    ({ ink: this.ink, luminance: this.luminance, thresholds: this.thresholds, blocksX: this.blocksX, width: this.width, height: this.height } = image);
  }

  /** The binarized pixel under a continuous point; outside the frame counts as paper. */
  dark(point: Point): number {
    const x = floor(point.x);
    const y = floor(point.y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return 0;
    return this.ink[y * this.width + x]!;
  }

  /**
   * One module's colour: the mean luminance of five points across its middle against the local
   * threshold. A single pixel is what sensor noise flips; five of them rarely all go the same way.
   */
  module(mapping: Mapping, col: number, row: number): number {
    const center = mapping(col + 0.5, row + 0.5);
    const cx = floor(center.x);
    const cy = floor(center.y);
    if (cx < 0 || cy < 0 || cx >= this.width || cy >= this.height) return 0;
    let sum = 0;
    let count = 0;
    for (const [dc, dr] of MODULE_SAMPLES) {
      const p = dc === 0 && dr === 0 ? center : mapping(col + 0.5 + dc, row + 0.5 + dr);
      const x = floor(p.x);
      const y = floor(p.y);
      if (x < 0 || y < 0 || x >= this.width || y >= this.height) continue;
      sum += this.luminance[y * this.width + x]!;
      count++;
    }
    return sum / count <= this.thresholds[(cy >> 3) * this.blocksX + (cx >> 3)]! ? 1 : 0;
  }

  /**
   * Distance from `center` to the outer edge of a finder pattern along `direction` (a unit vector):
   * through the dark centre, the light ring and the dark ring. NaN if the runs do not look like one.
   */
  edgeDistance(center: Point, direction: Point, limit: number): number {
    let phase = 0;
    for (let t = 0; t <= limit; t += 0.5) {
      const dark = this.dark({ x: center.x + direction.x * t, y: center.y + direction.y * t }) === 1;
      if (phase === 0 && !dark) phase = 1;
      else if (phase === 1 && dark) phase = 2;
      else if (phase === 2 && !dark) return t;
    }
    return NaN;
  }
}

function fitGrid(sampler: Sampler, topLeft: Point, topRight: Point, bottomLeft: Point): ModuleGrid | undefined {
  const across = distance(topLeft, topRight);
  const down = distance(topLeft, bottomLeft);
  const u = { x: (topRight.x - topLeft.x) / across, y: (topRight.y - topLeft.y) / across };
  const v = { x: (bottomLeft.x - topLeft.x) / down, y: (bottomLeft.y - topLeft.y) / down };
  const neg = (p: Point) => ({ x: -p.x, y: -p.y });

  // Finder width along the code's own axes: 7 modules, measured six times to average out pixel steps.
  const limit = Math.min(across, down) / 2;
  const widths: number[] = [];
  for (const [center, axis] of [
    [topLeft, u],
    [topLeft, v],
    [topRight, u],
    [bottomLeft, v],
  ] as const) {
    const width = sampler.edgeDistance(center, axis, limit) + sampler.edgeDistance(center, neg(axis), limit);
    if (Number.isFinite(width)) widths.push(width);
  }
  if (widths.length === 0) return undefined;
  const moduleSize = widths.reduce((a, b) => a + b, 0) / widths.length / 7;
  const estimate = (across + down) / 2 / moduleSize + 7;

  const sizes: number[] = [];
  for (let version = 1; version <= 40; version++) {
    const size = 17 + 4 * version;
    if (Math.abs(size - estimate) <= Math.max(4, 0.15 * estimate)) sizes.push(size);
  }
  sizes.sort((a, b) => Math.abs(a - estimate) - Math.abs(b - estimate));

  let best: { size: number; mapping: Mapping; score: number } | undefined;
  for (const size of sizes) {
    const mapping = affineFrom(
      [
        { x: 3.5, y: 3.5 },
        { x: size - 3.5, y: 3.5 },
        { x: 3.5, y: size - 3.5 },
      ],
      [topLeft, topRight, bottomLeft],
    );
    if (!mapping) continue;
    const score = timingScore(sampler, mapping, size);
    if (!best || score > best.score) best = { size, mapping, score };
  }
  if (!best || best.score < MIN_TIMING_SCORE) return undefined;

  const { size } = best;
  let mapping = best.mapping;
  const alignment = size > 21 ? findAlignment(sampler, best.mapping, size) : undefined;
  if (alignment) {
    const projective = homographyFrom(
      [
        { x: 3.5, y: 3.5 },
        { x: size - 3.5, y: 3.5 },
        { x: 3.5, y: size - 3.5 },
        { x: size - 6.5, y: size - 6.5 },
      ],
      [topLeft, topRight, bottomLeft, alignment],
    );
    if (projective && structureScore(sampler, projective, size) >= structureScore(sampler, mapping, size)) mapping = projective;
  }
  const score = structureScore(sampler, mapping, size);
  if (score < MIN_STRUCTURE_SCORE) return undefined;

  const dark = new Uint8Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) dark[row * size + col] = sampler.module(mapping, col, row);
  }
  return {
    size,
    dark,
    corners: { topLeft: mapping(0, 0), topRight: mapping(size, 0), bottomRight: mapping(size, size), bottomLeft: mapping(0, size) },
    structureScore: score,
  };
}

/** Share of the two timing patterns (row 6 and column 6 between the finders) that alternate as they must. */
function timingScore(sampler: Sampler, mapping: Mapping, size: number): number {
  let matches = 0;
  for (let i = 8; i <= size - 9; i++) {
    const expected = i % 2 === 0 ? 1 : 0;
    if (sampler.module(mapping, i, 6) === expected) matches++;
    if (sampler.module(mapping, 6, i) === expected) matches++;
  }
  return matches / (2 * (size - 16));
}

/** Timing patterns plus the three 7x7 finders, whose modules are fixed by the specification. */
function structureScore(sampler: Sampler, mapping: Mapping, size: number): number {
  let matches = 0;
  let total = 0;
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -3; dy <= 3; dy++) {
      for (let dx = -3; dx <= 3; dx++) {
        const expected = Math.max(Math.abs(dx), Math.abs(dy)) === 2 ? 0 : 1;
        if (sampler.module(mapping, cx + dx, cy + dy) === expected) matches++;
        total++;
      }
    }
  }
  const timingModules = 2 * (size - 16);
  return (matches + timingScore(sampler, mapping, size) * timingModules) / (total + timingModules);
}

/**
 * The bottom-right alignment pattern (a 5x5 dark ring around a light ring around a dark module), searched
 * around where the affine guess puts it; perspective moves it by up to a few modules. Returns its
 * centre, or undefined when nothing there matches well enough.
 */
function findAlignment(sampler: Sampler, affine: Mapping, size: number): Point | undefined {
  const predicted = affine(size - 6.5, size - 6.5);
  const origin = affine(0, 0);
  const colStep = { x: affine(1, 0).x - origin.x, y: affine(1, 0).y - origin.y };
  const rowStep = { x: affine(0, 1).x - origin.x, y: affine(0, 1).y - origin.y };
  const module = (Math.hypot(colStep.x, colStep.y) + Math.hypot(rowStep.x, rowStep.y)) / 2;
  const radius = 4 * module;
  const step = Math.max(0.5, module / 3);
  let bestScore = 0;
  let sumX = 0;
  let sumY = 0;
  let hits = 0;
  for (let oy = -radius; oy <= radius; oy += step) {
    for (let ox = -radius; ox <= radius; ox += step) {
      const cx = predicted.x + ox;
      const cy = predicted.y + oy;
      if (sampler.dark({ x: cx, y: cy }) !== 1) continue;
      let score = 0;
      for (let j = -2; j <= 2; j++) {
        for (let i = -2; i <= 2; i++) {
          const expected = Math.max(Math.abs(i), Math.abs(j)) === 1 ? 0 : 1;
          const point = { x: cx + i * colStep.x + j * rowStep.x, y: cy + i * colStep.y + j * rowStep.y };
          if (sampler.dark(point) === expected) score++;
        }
      }
      if (score > bestScore) {
        bestScore = score;
        sumX = sumY = hits = 0;
      }
      if (score === bestScore) {
        sumX += cx;
        sumY += cy;
        hits++;
      }
    }
  }
  // 22 of 25: a ring broken by a pixel or two of blur still counts, a random patch of data does not.
  return bestScore >= 22 ? { x: sumX / hits, y: sumY / hits } : undefined;
}
