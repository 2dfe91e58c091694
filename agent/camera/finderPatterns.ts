import { isInk, type BinaryImage } from './binarize';

// Local names for the Math functions of hot loops: under jest, each lookup of the global `Math` costs
// about 30x more (it goes through the sandbox's global object), which slowed the camera tests badly.
const { abs, floor } = Math;

/**
 * Finds QR finder patterns (the three 7x7 "eyes") in a binarized frame, the way ZXing's
 * FinderPatternFinder does: scan rows for dark-light-dark-light-dark runs in the ratio 1:1:3:1:1, then
 * confirm each hit with vertical and diagonal scans through its centre. Any line through the centre of
 * the concentric squares crosses them in that same ratio, so this works at every rotation.
 */

export interface FinderPattern {
  x: number;
  y: number;
  /** Width of one module along the scan directions (larger than the true module when rotated). */
  moduleSize: number;
  /** How many scan lines confirmed it; more is surer. */
  count: number;
}

/** Natural images rarely confirm more than a handful; a cap keeps pathological frames bounded. */
const MAX_PATTERNS = 200;

export function findFinderPatterns(image: BinaryImage): FinderPattern[] {
  const { luminance, thresholds, blocksX, width, height } = image;
  const patterns: FinderPattern[] = [];
  const counts = [0, 0, 0, 0, 0];
  const at = (x: number, y: number) => isInk(image, x, y);

  const crossCheck = (sc: number[], strict: boolean): boolean => {
    let total = 0;
    for (const count of sc) {
      if (count === 0) return false;
      total += count;
    }
    if (total < 7) return false;
    const unit = total / 7;
    const variance = strict ? unit / 2 : unit / 1.333;
    return (
      abs(unit - sc[0]!) < variance &&
      abs(unit - sc[1]!) < variance &&
      abs(3 * unit - sc[2]!) < 3 * variance &&
      abs(unit - sc[3]!) < variance &&
      abs(unit - sc[4]!) < variance
    );
  };

  /** Runs along (dx, dy) through (x, y); returns the centre offset along the line, or NaN. */
  const runsThrough = (
    x: number,
    y: number,
    dx: number,
    dy: number,
    maxCount: number,
    originalTotal: number,
    strict: boolean,
  ): number => {
    const sc = [0, 0, 0, 0, 0];
    let step = 0;
    const inside = (s: number) => {
      const px = x + s * dx;
      const py = y + s * dy;
      return px >= 0 && py >= 0 && px < width && py < height;
    };
    const dark = (s: number) => at(x + s * dx, y + s * dy);
    while (inside(step) && dark(step)) {
      sc[2]++;
      step--;
    }
    if (!inside(step)) return NaN;
    while (inside(step) && !dark(step) && sc[1]! <= maxCount) {
      sc[1]++;
      step--;
    }
    if (!inside(step) || sc[1]! > maxCount) return NaN;
    while (inside(step) && dark(step) && sc[0]! <= maxCount) {
      sc[0]++;
      step--;
    }
    if (sc[0]! > maxCount) return NaN;
    step = 1;
    while (inside(step) && dark(step)) {
      sc[2]++;
      step++;
    }
    if (!inside(step)) return NaN;
    while (inside(step) && !dark(step) && sc[3]! < maxCount) {
      sc[3]++;
      step++;
    }
    if (!inside(step) || sc[3]! >= maxCount) return NaN;
    while (inside(step) && dark(step) && sc[4]! < maxCount) {
      sc[4]++;
      step++;
    }
    if (sc[4]! >= maxCount) return NaN;
    const total = sc.reduce((a, b) => a + b, 0);
    if (5 * abs(total - originalTotal) >= 2 * originalTotal) return NaN;
    if (!crossCheck(sc, strict)) return NaN;
    // Continuous centre: `step` is the first pixel after the pattern.
    return step - sc[4]! - sc[3]! - sc[2]! / 2;
  };

  const handle = (sc: number[], y: number, end: number): boolean => {
    const total = sc.reduce((a, b) => a + b, 0);
    const x0 = end - sc[4]! - sc[3]! - sc[2]! / 2;
    const verticalOffset = runsThrough(floor(x0), y, 0, 1, sc[2]!, total, true);
    if (Number.isNaN(verticalOffset)) return false;
    const cy = y + verticalOffset;
    const horizontalOffset = runsThrough(floor(x0), floor(cy), 1, 0, sc[2]!, total, true);
    if (Number.isNaN(horizontalOffset)) return false;
    const cx = floor(x0) + horizontalOffset;
    // A diagonal step is sqrt(2) pixels: the diagonal crosses the pattern in 0.5x (code turned 45 degrees)
    // to 1x the horizontal count, so compare against the middle of that range.
    if (Number.isNaN(runsThrough(floor(cx), floor(cy), 1, 1, sc[2]!, 0.75 * total, false))) return false;
    const moduleSize = total / 7;
    for (const pattern of patterns) {
      if (
        abs(cy - pattern.y) <= moduleSize &&
        abs(cx - pattern.x) <= moduleSize &&
        abs(moduleSize - pattern.moduleSize) <= Math.max(1, pattern.moduleSize)
      ) {
        const n = pattern.count;
        pattern.x = (pattern.x * n + cx) / (n + 1);
        pattern.y = (pattern.y * n + cy) / (n + 1);
        pattern.moduleSize = (pattern.moduleSize * n + moduleSize) / (n + 1);
        pattern.count = n + 1;
        return true;
      }
    }
    patterns.push({ x: cx, y: cy, moduleSize, count: 1 });
    return true;
  };

  // Every other row on large frames: at the smallest readable module (about 3 pixels) a finder's centre
  // still spans several scan lines at any rotation, and the scan is a third of the locating time.
  const rowStep = height > 600 ? 2 : 1;
  for (let y = 0; y < height && patterns.length < MAX_PATTERNS; y += rowStep) {
    counts.fill(0);
    let state = 0;
    const row = y * width;
    const blockRow = (y >> 3) * blocksX;
    for (let x = 0; x < width; x++) {
      if (luminance[row + x]! <= thresholds[blockRow + (x >> 3)]!) {
        if ((state & 1) === 1) state++;
        counts[state]++;
      } else if ((state & 1) === 1) {
        counts[state]++;
      } else if (state !== 4) {
        counts[++state]++;
      } else {
        if (crossCheck(counts, true) && handle(counts, y, x)) {
          counts.fill(0);
          state = 0;
          continue;
        }
        // Keep the last dark-light pair as the start of the next candidate.
        counts[0] = counts[2]!;
        counts[1] = counts[3]!;
        counts[2] = counts[4]!;
        counts[3] = 1;
        counts[4] = 0;
        state = 3;
      }
    }
    if (state === 4 && crossCheck(counts, true)) handle(counts, y, width);
  }
  return patterns;
}
