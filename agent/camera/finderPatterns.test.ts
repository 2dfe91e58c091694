import { binarize } from './binarize';
import { findFinderPatterns } from './finderPatterns';
import { codeFrame, qrcodeModules, toBytes, type Raster } from './testing/frames';

const MODULES = qrcodeModules('https://example.com/enroll?token=K7PQ3MZX9WRT2HVB4NCE'); // version 4, 33 modules

function find(raster: Raster) {
  return findFinderPatterns(binarize({ width: raster.width, height: raster.height, data: toBytes(raster) }));
}

/** Where the three finder centres of a code of `modulePixels` centred at (cx, cy) and turned by `degrees` lie. */
function expectedCentres(cx: number, cy: number, modulePixels: number, degrees: number) {
  const half = (MODULES.size / 2 - 3.5) * modulePixels;
  const angle = (degrees * Math.PI) / 180;
  const turn = (dx: number, dy: number) => ({
    x: cx + dx * Math.cos(angle) - dy * Math.sin(angle),
    y: cy + dx * Math.sin(angle) + dy * Math.cos(angle),
  });
  return [turn(-half, -half), turn(half, -half), turn(-half, half)];
}

describe('findFinderPatterns', () => {
  it.each([
    [0, 5],
    [30, 5],
    [45, 4],
    [200, 3],
  ])(
    'finds the three finder centres of a code turned by %i degrees at %i pixels per module',
    (degrees, modulePixels) => {
      const cx = 321.5;
      const cy = 240.25;
      const patterns = find(
        codeFrame(MODULES, {
          width: 640,
          height: 480,
          modulePixels,
          angleDegrees: degrees,
          centerX: cx,
          centerY: cy,
          background: 230,
        }),
      );
      for (const centre of expectedCentres(cx, cy, modulePixels, degrees)) {
        const match = patterns.filter((p) => Math.hypot(p.x - centre.x, p.y - centre.y) < 1.5);
        expect(match).toHaveLength(1);
        // Along a scan line a turned module looks up to sqrt(2) times wider.
        expect(match[0]!.moduleSize).toBeGreaterThan(modulePixels * 0.85);
        expect(match[0]!.moduleSize).toBeLessThan(modulePixels * Math.SQRT2 * 1.15);
      }
      // Nothing else on plain paper: the code's data holds no pattern confirmed on several lines.
      expect(patterns.filter((p) => p.count >= 2)).toHaveLength(3);
    },
  );

  it('finds nothing on plain paper', () => {
    expect(
      find(codeFrame(MODULES, { width: 320, height: 240, modulePixels: 4, centerX: -1000, background: 200 })),
    ).toEqual([]);
  });
});
