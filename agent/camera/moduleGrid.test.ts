import { binarize } from './binarize';
import { findFinderPatterns } from './finderPatterns';
import QRCode from 'qrcode';
import { alignmentCentres, moduleGrids } from './moduleGrid';
import {
  addNoise,
  blur,
  codeFrame,
  createRaster,
  drawCodeInQuad,
  qrcodeModules,
  toBytes,
  type ModuleMatrix,
  type Raster,
} from './testing/frames';

function grids(raster: Raster) {
  const image = binarize({ width: raster.width, height: raster.height, data: toBytes(raster) });
  return [...moduleGrids(image, findFinderPatterns(image))];
}

function wrongModules(grid: { size: number; dark: Uint8Array }, modules: ModuleMatrix): number {
  let wrong = 0;
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++)
      if ((grid.dark[row * grid.size + col] === 1) !== modules.dark(row, col)) wrong++;
  }
  return wrong;
}

const PAYLOAD_MODULES = qrcodeModules('x'.repeat(533)); // the size of a provisioning payload: version 18

describe('moduleGrids', () => {
  it('recovers every module of a version 18 code at 3 pixels per module, turned, blurred and noisy', () => {
    const frame = addNoise(
      blur(
        codeFrame(PAYLOAD_MODULES, {
          width: 800,
          height: 600,
          modulePixels: 3,
          angleDegrees: 17,
          centerX: 400.4,
          centerY: 300.7,
        }),
        0.6,
      ),
      5,
    );
    const [grid] = grids(frame);
    expect(grid?.size).toBe(89);
    expect(wrongModules(grid!, PAYLOAD_MODULES)).toBe(0);
    expect(grid!.structureScore).toBe(1);
  });

  it('recovers a version 1 code, which has no alignment pattern', () => {
    const modules = qrcodeModules('STAGESIM', 'L');
    expect(modules.size).toBe(21);
    const [grid] = grids(codeFrame(modules, { width: 320, height: 240, modulePixels: 5, angleDegrees: 300 }));
    expect(grid?.size).toBe(21);
    expect(wrongModules(grid!, modules)).toBe(0);
  });

  it('follows perspective through the alignment pattern: a sheet seen at an angle', () => {
    // The far (right) edge is 88% the height of the near one, and the sheet leans: a phone held a little
    // off-axis. An affine map from the three finders alone misses the bottom-right alignment pattern by
    // 7 modules.
    const frame = drawCodeInQuad(createRaster(900, 700, 235), PAYLOAD_MODULES, [
      { x: 120, y: 60 },
      { x: 760, y: 95 },
      { x: 770, y: 615 },
      { x: 110, y: 650 },
    ]);
    const [grid] = grids(frame);
    expect(grid?.size).toBe(89);
    expect(wrongModules(grid!, PAYLOAD_MODULES)).toBe(0);
  });

  it('finds no grid where finder patterns stand without timing patterns between them', () => {
    // Keep only the three finders (and their separators) of a real code: the geometry is right, but
    // the timing patterns and data are gone, so no module count can be confirmed.
    const finders: ModuleMatrix = {
      size: PAYLOAD_MODULES.size,
      dark: (row, col) => {
        const inCorner = (r: number, c: number) => r < 8 && c < 8;
        const last = PAYLOAD_MODULES.size - 1;
        return (
          (inCorner(row, col) || inCorner(row, last - col) || inCorner(last - row, col)) &&
          PAYLOAD_MODULES.dark(row, col)
        );
      },
    };
    expect(
      grids(
        codeFrame(finders, { width: 640, height: 480, modulePixels: 4, angleDegrees: 10, background: 240 }),
      ),
    ).toEqual([]);
  });
});

describe('alignmentCentres', () => {
  it('lists, for every version, exactly where the encoder draws alignment patterns', () => {
    for (let version = 1; version <= 40; version++) {
      const code = QRCode.create('A', { version, errorCorrectionLevel: 'L' });
      const size = code.modules.size;
      const centres = alignmentCentres(size);
      expect(centres).toHaveLength(version === 1 ? 0 : (Math.floor(version / 7) + 2) ** 2 - 3);
      let wrong = 0;
      for (const [col, row] of centres) {
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const dark = Math.max(Math.abs(dx), Math.abs(dy)) !== 1;
            if ((code.modules.get(row + dy, col + dx) === 1) !== dark) wrong++;
          }
        }
      }
      expect({ version, wrong }).toEqual({ version, wrong: 0 });
    }
  });
});
