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
 * version 18 code (89 modules, what a provisioning payload needs) means a wrong version and no decode:
 * on stagesim's test frames jsQR alone failed about half of the 3-pixel codes. Here the count is read
 * off the timing patterns (the alternating rows between the finders), which is exact at any scale and
 * under perspective. The grid is then mapped from the three finders plus, when the code has one, the
 * bottom-right alignment pattern (four points make a homography: a flat code seen at an angle), and
 * every candidate mapping is judged by how many of the modules the specification fixes (finders,
 * timing, all alignment patterns) it samples correctly.
 */

export interface ModuleGrid {
  /** Modules per side, 21 to 177. */
  size: number;
  /** size * size, row-major; 1 for a dark module. */
  dark: Uint8Array;
  /** The symbol's corners in frame pixels (not counting the quiet zone). */
  corners: { topLeft: Point; topRight: Point; bottomRight: Point; bottomLeft: Point };
  /** Share of the fixed patterns (finders, timing, alignment) sampled as the specification draws them. */
  structureScore: number;
}

const MAX_FINDERS = 12;
const MAX_TRIOS = 16;
/**
 * Below this share of matching fixed modules the trio is not a code. Three chance finders with the
 * wrong grid score about 0.5 (half the modules match by luck); the margin above that is left to damage
 * error correction can still recover (a reflection or smudge over alignment or timing modules).
 */
const MIN_STRUCTURE_SCORE = 0.7;
/** A mapping this good is taken without trying others. */
const SETTLED_SCORE = 0.98;
/** How far from a module's centre its four extra samples lie, along each axis, in modules. */
const MODULE_SAMPLE_OFFSET = 0.12;

export function* moduleGrids(image: BinaryImage, finders: FinderPattern[]): Generator<ModuleGrid> {
  const sampler = new Sampler(image);
  const pool = finders
    .slice()
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_FINDERS);

  const trios: {
    score: number;
    topLeft: FinderPattern;
    topRight: FinderPattern;
    bottomLeft: FinderPattern;
  }[] = [];
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
  // Perspective makes near finders look up to about twice the size of far ones.
  if (Math.max(...sizes) > 2 * Math.min(...sizes)) return undefined;
  const ab = distance(a, b);
  const ac = distance(a, c);
  const bc = distance(b, c);
  let corner: FinderPattern,
    p: FinderPattern,
    q: FinderPattern,
    hypotenuse: number,
    leg1: number,
    leg2: number;
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
  private readonly luminance: Uint8Array;
  private readonly thresholds: Float32Array;
  private readonly blocksX: number;
  private readonly width: number;
  private readonly height: number;
  /** The sample offsets of the mapping last used (calls come in runs of one mapping). */
  private stepsFor: Mapping | undefined;
  private steps: [Point, Point] = [
    { x: 0, y: 0 },
    { x: 0, y: 0 },
  ];

  constructor(image: BinaryImage) {
    ({
      luminance: this.luminance,
      thresholds: this.thresholds,
      blocksX: this.blocksX,
      width: this.width,
      height: this.height,
    } = image);
  }

  /** The binarized pixel under a continuous point; outside the frame counts as paper. */
  dark(point: Point): number {
    const x = floor(point.x);
    const y = floor(point.y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return 0;
    return this.luminance[y * this.width + x]! <= this.thresholds[(y >> 3) * this.blocksX + (x >> 3)]!
      ? 1
      : 0;
  }

  /**
   * One module's colour: the mean luminance of five points across its middle against the local
   * threshold. A single pixel is what sensor noise flips; five of them rarely all go the same way. The
   * four off-centre points step along the mapping's module vectors at the symbol's origin: they are
   * 0.12 module from the centre, so perspective changing those vectors by a fifth moves them by 0.02
   * module, and mapping each point instead cost four object allocations per module.
   */
  module(mapping: Mapping, col: number, row: number): number {
    if (mapping !== this.stepsFor) {
      const origin = mapping(0, 0);
      const across = mapping(1, 0);
      const down = mapping(0, 1);
      const d = MODULE_SAMPLE_OFFSET;
      this.steps = [
        { x: d * (across.x - origin.x), y: d * (across.y - origin.y) },
        { x: d * (down.x - origin.x), y: d * (down.y - origin.y) },
      ];
      this.stepsFor = mapping;
    }
    const center = mapping(col + 0.5, row + 0.5);
    const cx = floor(center.x);
    const cy = floor(center.y);
    if (cx < 0 || cy < 0 || cx >= this.width || cy >= this.height) return 0;
    const [u, v] = this.steps;
    let sum = this.luminance[cy * this.width + cx]!;
    let count = 1;
    for (let k = 0; k < 4; k++) {
      const su = k & 1 ? 1 : -1;
      const sv = k & 2 ? 1 : -1;
      const x = floor(center.x + su * u.x + sv * v.x);
      const y = floor(center.y + su * u.y + sv * v.y);
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

function fitGrid(
  sampler: Sampler,
  topLeft: Point,
  topRight: Point,
  bottomLeft: Point,
): ModuleGrid | undefined {
  const across = distance(topLeft, topRight);
  const down = distance(topLeft, bottomLeft);
  const u = { x: (topRight.x - topLeft.x) / across, y: (topRight.y - topLeft.y) / across };
  const v = { x: (bottomLeft.x - topLeft.x) / down, y: (bottomLeft.y - topLeft.y) / down };

  // Each finder's module size along each of the code's axes (a finder is 7 modules across); under
  // perspective the near finders have larger modules than the far one.
  const limit = Math.min(across, down) / 2;
  const moduleAlong = (center: Point, axis: Point) =>
    (sampler.edgeDistance(center, axis, limit) +
      sampler.edgeDistance(center, { x: -axis.x, y: -axis.y }, limit)) /
    7;
  const measured = {
    topLeft: { u: moduleAlong(topLeft, u), v: moduleAlong(topLeft, v) },
    topRight: { u: moduleAlong(topRight, u), v: moduleAlong(topRight, v) },
    bottomLeft: { u: moduleAlong(bottomLeft, u), v: moduleAlong(bottomLeft, v) },
  };
  const all = Object.values(measured)
    .flatMap((m) => [m.u, m.v])
    .filter(Number.isFinite);
  if (all.length === 0) return undefined;
  const moduleSize = all.reduce((a, b) => a + b, 0) / all.length;
  const or = (value: number) => (Number.isFinite(value) ? value : moduleSize);
  const step = (from: Point, axis: Point, pixels: number) => ({
    x: from.x + axis.x * pixels,
    y: from.y + axis.y * pixels,
  });

  // The module count from the timing patterns: row 6 runs from 3 modules below the top-left finder's
  // centre to 3 below the top-right one's (column 6 likewise), and counting its light modules gives the
  // count exactly, whatever the perspective.
  const sizes = new Set<number>();
  for (const size of [
    timingCount(
      sampler,
      step(topLeft, v, 3 * or(measured.topLeft.v)),
      step(topRight, v, 3 * or(measured.topRight.v)),
      or(measured.topLeft.u),
      or(measured.topRight.u),
    ),
    timingCount(
      sampler,
      step(topLeft, u, 3 * or(measured.topLeft.u)),
      step(bottomLeft, u, 3 * or(measured.bottomLeft.u)),
      or(measured.topLeft.v),
      or(measured.bottomLeft.v),
    ),
  ]) {
    if (size !== undefined) sizes.add(size);
  }
  if (sizes.size === 0) {
    // Blur merged some timing modules: fall back on the finders' module size, and let the structure
    // check below pick among the nearest versions.
    const version = Math.round(((across + down) / 2 / moduleSize + 7 - 17) / 4);
    for (const candidate of [version, version - 1, version + 1])
      if (candidate >= 1 && candidate <= 40) sizes.add(17 + 4 * candidate);
  }

  let best: { size: number; mapping: Mapping; score: number } | undefined;
  const consider = (size: number, mapping: Mapping | undefined) => {
    if (!mapping) return;
    const score = structureScore(sampler, mapping, size);
    if (!best || score > best.score) best = { size, mapping, score };
  };
  // A mapping that samples nearly every fixed module right, alignment patterns spread over the whole
  // symbol included, is right everywhere: no need to look further.
  const settled = () => best !== undefined && best.score >= SETTLED_SCORE;
  for (const size of sizes) {
    if (settled()) break;
    const affine = affineFrom(
      [
        { x: 3.5, y: 3.5 },
        { x: size - 3.5, y: 3.5 },
        { x: 3.5, y: size - 3.5 },
      ],
      [topLeft, topRight, bottomLeft],
    );
    if (!affine) continue;
    consider(size, affine);
    // Three points fix an affine map; perspective needs a fourth: the bottom-right alignment pattern.
    if (settled() || size === 21 || finderScore(sampler, affine, size) < 0.8) continue;
    for (const alignment of alignmentCandidates(sampler, affine, size)) {
      consider(
        size,
        homographyFrom(
          [
            { x: 3.5, y: 3.5 },
            { x: size - 3.5, y: 3.5 },
            { x: 3.5, y: size - 3.5 },
            { x: size - 6.5, y: size - 6.5 },
          ],
          [topLeft, topRight, bottomLeft, alignment],
        ),
      );
    }
  }
  const chosen = best as { size: number; mapping: Mapping; score: number } | undefined;
  if (!chosen || chosen.score < MIN_STRUCTURE_SCORE) return undefined;

  const { size, mapping } = chosen;
  const dark = new Uint8Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) dark[row * size + col] = sampler.module(mapping, col, row);
  }
  return {
    size,
    dark,
    corners: {
      topLeft: mapping(0, 0),
      topRight: mapping(size, 0),
      bottomRight: mapping(size, size),
      bottomLeft: mapping(0, size),
    },
    structureScore: chosen.score,
  };
}

/**
 * Walks a timing pattern from `from` to `to` (the centres of the finder rings at either end) and
 * returns the code's module count from its light runs: the separator after each finder plus the light
 * timing modules, (size - 17) / 2 + 2 of them. Runs shorter than 40% of a module (noise, a blurred
 * edge) are merged into their neighbours first. Undefined when the count is not a valid size.
 */
function timingCount(
  sampler: Sampler,
  from: Point,
  to: Point,
  moduleFrom: number,
  moduleTo: number,
): number | undefined {
  const length = distance(from, to);
  const STEP = 0.5;
  const steps = Math.ceil(length / STEP);
  const runs: { dark: number; length: number; at: number }[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const dark = sampler.dark({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
    const last = runs[runs.length - 1];
    if (last && last.dark === dark) last.length++;
    else runs.push({ dark, length: 1, at: t });
  }
  const merged: typeof runs = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    const minimum = (0.4 * (moduleFrom + (moduleTo - moduleFrom) * run.at)) / STEP;
    if (last && (run.length < minimum || last.dark === run.dark)) last.length += run.length;
    else merged.push({ ...run });
  }
  if (merged.length < 3 || merged[0]!.dark !== 1 || merged[merged.length - 1]!.dark !== 1) return undefined;
  const light = merged.filter((run) => run.dark === 0).length;
  const size = 2 * light + 13;
  return size >= 21 && size <= 177 && (size - 17) % 4 === 0 ? size : undefined;
}

/** Alignment pattern centres (row and column indices) of each version, from ISO/IEC 18004 annex E. */
const ALIGNMENT_POSITIONS: readonly (readonly number[])[] = [
  [],
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
  [6, 30, 54],
  [6, 32, 58],
  [6, 34, 62],
  [6, 26, 46, 66],
  [6, 26, 48, 70],
  [6, 26, 50, 74],
  [6, 30, 54, 78],
  [6, 30, 56, 82],
  [6, 30, 58, 86],
  [6, 34, 62, 90],
  [6, 28, 50, 72, 94],
  [6, 26, 50, 74, 98],
  [6, 30, 54, 78, 102],
  [6, 28, 54, 80, 106],
  [6, 32, 58, 84, 110],
  [6, 30, 58, 86, 114],
  [6, 34, 62, 90, 118],
  [6, 26, 50, 74, 98, 122],
  [6, 30, 54, 78, 102, 126],
  [6, 26, 52, 78, 104, 130],
  [6, 30, 56, 82, 108, 134],
  [6, 34, 60, 86, 112, 138],
  [6, 30, 58, 86, 114, 142],
  [6, 34, 62, 90, 118, 146],
  [6, 30, 54, 78, 102, 126, 150],
  [6, 24, 50, 76, 102, 128, 154],
  [6, 28, 54, 80, 106, 132, 158],
  [6, 32, 58, 84, 110, 136, 162],
  [6, 26, 54, 82, 110, 138, 166],
  [6, 30, 58, 86, 114, 142, 170],
];

export function alignmentCentres(size: number): [number, number][] {
  const positions = ALIGNMENT_POSITIONS[(size - 17) / 4] ?? [];
  const last = positions[positions.length - 1];
  const centres: [number, number][] = [];
  for (const row of positions) {
    for (const col of positions) {
      // The three corners taken by finder patterns have none.
      if ((row === 6 && col === 6) || (row === 6 && col === last) || (row === last && col === 6)) continue;
      centres.push([col, row]);
    }
  }
  return centres;
}

/** Share of the three 7x7 finders' modules sampled as drawn. */
function finderScore(sampler: Sampler, mapping: Mapping, size: number): number {
  let matches = 0;
  for (const [cx, cy] of [
    [3, 3],
    [size - 4, 3],
    [3, size - 4],
  ] as const) {
    for (let dy = -3; dy <= 3; dy++) {
      for (let dx = -3; dx <= 3; dx++) {
        const expected = Math.max(Math.abs(dx), Math.abs(dy)) === 2 ? 0 : 1;
        if (sampler.module(mapping, cx + dx, cy + dy) === expected) matches++;
      }
    }
  }
  return matches / (3 * 49);
}

/**
 * Share of all the modules the specification fixes (finders, timing patterns, every alignment pattern)
 * sampled as drawn. The alignment patterns spread over the whole symbol, so a mapping that drifts away
 * from the finders scores low.
 */
function structureScore(sampler: Sampler, mapping: Mapping, size: number): number {
  let matches = finderScore(sampler, mapping, size) * 3 * 49;
  let total = 3 * 49;
  for (let i = 8; i <= size - 9; i++) {
    const expected = i % 2 === 0 ? 1 : 0;
    if (sampler.module(mapping, i, 6) === expected) matches++;
    if (sampler.module(mapping, 6, i) === expected) matches++;
    total += 2;
  }
  for (const [col, row] of alignmentCentres(size)) {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const expected = Math.max(Math.abs(dx), Math.abs(dy)) === 1 ? 0 : 1;
        if (sampler.module(mapping, col + dx, row + dy) === expected) matches++;
        total++;
      }
    }
  }
  return matches / total;
}

/**
 * Where the bottom-right alignment pattern (a 5x5 dark ring around a light ring around a dark module)
 * may be: points around the affine guess whose surroundings match it, best first. Perspective moves it
 * from the guess by up to about a tenth of the code's width. Each candidate is the centroid of a patch
 * of equally good positions, since at several pixels per module the match is a plateau.
 */
function alignmentCandidates(sampler: Sampler, affine: Mapping, size: number): Point[] {
  const predicted = affine(size - 6.5, size - 6.5);
  const origin = affine(0, 0);
  const colStep = { x: affine(1, 0).x - origin.x, y: affine(1, 0).y - origin.y };
  const rowStep = { x: affine(0, 1).x - origin.x, y: affine(0, 1).y - origin.y };
  const module = (Math.hypot(colStep.x, colStep.y) + Math.hypot(rowStep.x, rowStep.y)) / 2;
  const radius = Math.max(3, 0.12 * size) * module;
  const step = Math.max(0.5, module / 3);
  const hits: { x: number; y: number; score: number }[] = [];
  for (let oy = -radius; oy <= radius; oy += step) {
    for (let ox = -radius; ox <= radius; ox += step) {
      const cx = predicted.x + ox;
      const cy = predicted.y + oy;
      if (sampler.dark({ x: cx, y: cy }) !== 1) continue;
      let score = 0;
      let misses = 0;
      for (const [i, j] of ALIGNMENT_TEMPLATE_ORDER) {
        const expected = Math.max(Math.abs(i), Math.abs(j)) === 1 ? 0 : 1;
        const point = { x: cx + i * colStep.x + j * rowStep.x, y: cy + i * colStep.y + j * rowStep.y };
        if (sampler.dark(point) === expected) score++;
        else if (++misses > 3) break;
      }
      // 22 of 25: a ring broken by a pixel or two of blur still counts, a random patch of data does not.
      if (misses <= 3) hits.push({ x: cx, y: cy, score });
    }
  }
  hits.sort((a, b) => b.score - a.score);
  const candidates: { x: number; y: number; score: number; sumX: number; sumY: number; n: number }[] = [];
  for (const hit of hits) {
    const near = candidates.find((c) => Math.hypot(c.x - hit.x, c.y - hit.y) < 1.5 * module);
    if (near) {
      if (hit.score === near.score) {
        near.sumX += hit.x;
        near.sumY += hit.y;
        near.n++;
      }
    } else if (candidates.length < 4) {
      candidates.push({ ...hit, sumX: hit.x, sumY: hit.y, n: 1 });
    }
  }
  return candidates.map((c) => ({ x: c.sumX / c.n, y: c.sumY / c.n }));
}

/** The 5x5 template's inner light ring first, so a poor match is abandoned after a few samples. */
const ALIGNMENT_TEMPLATE_ORDER: readonly (readonly [number, number])[] = (() => {
  const cells: [number, number][] = [];
  for (let j = -2; j <= 2; j++) for (let i = -2; i <= 2; i++) cells.push([i, j]);
  const ring = (c: readonly [number, number]) => Math.max(Math.abs(c[0]), Math.abs(c[1]));
  return cells.sort((a, b) => (ring(a) === 1 ? 0 : 1) - (ring(b) === 1 ? 0 : 1));
})();
