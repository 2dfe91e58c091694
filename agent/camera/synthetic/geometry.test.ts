import { affineFrom, distance, homographyFrom, type Point } from './geometry';

const close = (a: Point, b: Point) => expect(distance(a, b)).toBeLessThan(1e-6);

describe('affineFrom', () => {
  it('sends the three module positions to the three frame points, and keeps parallels parallel', () => {
    const source: [Point, Point, Point] = [
      { x: 3.5, y: 3.5 },
      { x: 85.5, y: 3.5 },
      { x: 3.5, y: 85.5 },
    ];
    const target: [Point, Point, Point] = [
      { x: 100, y: 50 },
      { x: 340, y: 120 },
      { x: 30, y: 290 },
    ];
    const map = affineFrom(source, target)!;
    source.forEach((point, i) => close(map(point.x, point.y), target[i]!));
    // The fourth corner of the parallelogram.
    close(map(85.5, 85.5), { x: 340 + 30 - 100, y: 120 + 290 - 50 });
  });

  it('gives nothing for three points on a line', () => {
    expect(
      affineFrom(
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ],
        [
          { x: 0, y: 0 },
          { x: 1, y: 0 },
          { x: 0, y: 1 },
        ],
      ),
    ).toBeUndefined();
  });
});

describe('homographyFrom', () => {
  const square = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 10 },
    { x: 0, y: 10 },
  ];
  // A sheet seen at an angle: the far edge is shorter.
  const quad = [
    { x: 200, y: 100 },
    { x: 400, y: 110 },
    { x: 380, y: 300 },
    { x: 230, y: 280 },
  ];

  it('sends the four corners where they belong', () => {
    const map = homographyFrom(square, quad)!;
    square.forEach((point, i) => close(map(point.x, point.y), quad[i]!));
  });

  it('sends the centre to where the diagonals cross, as a perspective view does', () => {
    const map = homographyFrom(square, quad)!;
    const [a, b, c, d] = quad as [Point, Point, Point, Point];
    // Intersection of a-c and b-d.
    const t =
      ((b.x - a.x) * (d.y - b.y) - (b.y - a.y) * (d.x - b.x)) /
      ((c.x - a.x) * (d.y - b.y) - (c.y - a.y) * (d.x - b.x));
    close(map(5, 5), { x: a.x + t * (c.x - a.x), y: a.y + t * (c.y - a.y) });
  });

  it('gives nothing when the frame points are degenerate', () => {
    expect(homographyFrom(square, [quad[0]!, quad[0]!, quad[0]!, quad[0]!])).toBeUndefined();
  });
});
