/** Plane geometry for mapping a QR code's module grid onto a camera frame. */

export interface Point {
  x: number;
  y: number;
}

/** A projective map from module coordinates (column, row) to frame pixels. */
export type Mapping = (column: number, row: number) => Point;

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** The affine map that sends three module positions to three frame points. */
export function affineFrom(
  source: [Point, Point, Point],
  target: [Point, Point, Point],
): Mapping | undefined {
  // Solve target = origin + col * U + row * V from the three correspondences.
  const [s0, s1, s2] = source;
  const det = (s1.x - s0.x) * (s2.y - s0.y) - (s2.x - s0.x) * (s1.y - s0.y);
  if (Math.abs(det) < 1e-9) return undefined;
  const solve = (t0: number, t1: number, t2: number) => {
    const a = ((t1 - t0) * (s2.y - s0.y) - (t2 - t0) * (s1.y - s0.y)) / det;
    const b = ((s1.x - s0.x) * (t2 - t0) - (s2.x - s0.x) * (t1 - t0)) / det;
    return { a, b, c: t0 - a * s0.x - b * s0.y };
  };
  const [t0, t1, t2] = target;
  const fx = solve(t0.x, t1.x, t2.x);
  const fy = solve(t0.y, t1.y, t2.y);
  return (col, row) => ({ x: fx.a * col + fx.b * row + fx.c, y: fy.a * col + fy.b * row + fy.c });
}

/**
 * The homography that sends four module positions to four frame points (a camera looking at a flat
 * code at an angle), from the 8x8 linear system of the four correspondences.
 */
export function homographyFrom(source: Point[], target: Point[]): Mapping | undefined {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = source[i]!;
    const { x: u, y: v } = target[i]!;
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solveLinear(rows);
  if (!h) return undefined;
  const [a, b, c, d, e, f, g, k] = h as [number, number, number, number, number, number, number, number];
  return (col, row) => {
    const w = g * col + k * row + 1;
    return { x: (a * col + b * row + c) / w, y: (d * col + e * row + f) / w };
  };
}

/** Gaussian elimination with partial pivoting on an augmented n x (n+1) matrix. */
function solveLinear(augmented: number[][]): number[] | undefined {
  const n = augmented.length;
  const m = augmented.map((row) => row.slice());
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const pivotRow = m[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r]!;
      const factor = row[col]! / pivotRow[col]!;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) row[c] = row[c]! - factor * pivotRow[c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
