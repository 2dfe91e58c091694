import { PNG } from 'pngjs';
import { drawableText, glyphPixel, GLYPH_HEIGHT, GLYPH_WIDTH } from './bitmapFont';
import type { Bounds, RenderedScreen, UiNode } from './hierarchy';
import {
  advance,
  BODY_STYLE,
  DISPLAY,
  STATUS_BAR_HEIGHT,
  textWidth,
  TITLE_STYLE,
  type TextStyle,
} from './layout';

/**
 * Draws the rendered screen into a PNG a person can read in a failure report: the title, texts, fields
 * and buttons at the bounds the page source gives them. A device that is off is a black screen.
 */

type Rgb = readonly [number, number, number];

const COLORS = {
  background: [255, 255, 255],
  statusBar: [32, 33, 36],
  statusText: [232, 234, 237],
  title: [32, 33, 36],
  body: [60, 64, 67],
  button: [26, 115, 232],
  buttonText: [255, 255, 255],
  field: [241, 243, 244],
  fieldLine: [128, 134, 139],
  fieldFocused: [26, 115, 232],
  hint: [128, 134, 139],
  camera: [32, 33, 36],
  cameraText: [232, 234, 237],
  picture: [232, 240, 254],
  pictureInk: [26, 115, 232],
  off: [0, 0, 0],
} as const satisfies Record<string, Rgb>;

class Canvas {
  readonly png: PNG;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.png = new PNG({ width, height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
    this.fill({ x1: 0, y1: 0, x2: width, y2: height }, background);
  }

  fill(bounds: Bounds, color: Rgb): void {
    const x1 = Math.max(0, bounds.x1);
    const x2 = Math.min(this.width, bounds.x2);
    const y1 = Math.max(0, bounds.y1);
    const y2 = Math.min(this.height, bounds.y2);
    if (x2 <= x1) return;
    const data = this.png.data;
    // Paint one row, then copy it: most of a screen is flat colour.
    const rowStart = (y1 * this.width + x1) * 4;
    for (let x = 0; x < x2 - x1; x += 1) {
      const i = rowStart + x * 4;
      data[i] = color[0];
      data[i + 1] = color[1];
      data[i + 2] = color[2];
      data[i + 3] = 255;
    }
    const rowBytes = (x2 - x1) * 4;
    for (let y = y1 + 1; y < y2; y += 1)
      data.copy(data, (y * this.width + x1) * 4, rowStart, rowStart + rowBytes);
  }

  /** Draws `image` scaled (nearest pixel) into `bounds`, keeping its aspect ratio, centred. */
  picture(image: PNG, bounds: Bounds): void {
    const width = bounds.x2 - bounds.x1;
    const height = bounds.y2 - bounds.y1;
    const scale = Math.min(width / image.width, height / image.height);
    const drawnWidth = Math.max(1, Math.floor(image.width * scale));
    const drawnHeight = Math.max(1, Math.floor(image.height * scale));
    const left = bounds.x1 + Math.floor((width - drawnWidth) / 2);
    const top = bounds.y1 + Math.floor((height - drawnHeight) / 2);
    for (let y = 0; y < drawnHeight; y += 1) {
      const sourceRow = Math.min(image.height - 1, Math.floor(y / scale)) * image.width;
      for (let x = 0; x < drawnWidth; x += 1) {
        const from = (sourceRow + Math.min(image.width - 1, Math.floor(x / scale))) * 4;
        const to = ((top + y) * this.width + left + x) * 4;
        // Transparent pixels show white, as a printed code on paper would.
        const alpha = image.data[from + 3]! / 255;
        for (let c = 0; c < 3; c += 1)
          this.png.data[to + c] = Math.round(image.data[from + c]! * alpha + 255 * (1 - alpha));
        this.png.data[to + 3] = 255;
      }
    }
  }

  frame(bounds: Bounds, color: Rgb, thickness: number): void {
    const { x1, y1, x2, y2 } = bounds;
    this.fill({ x1, y1, x2, y2: y1 + thickness }, color);
    this.fill({ x1, y1: y2 - thickness, x2, y2 }, color);
    this.fill({ x1, y1, x2: x1 + thickness, y2 }, color);
    this.fill({ x1: x2 - thickness, y1, x2, y2 }, color);
  }

  text(text: string, x: number, y: number, style: TextStyle, color: Rgb): void {
    const { scale } = style;
    let left = x;
    for (const char of drawableText(text)) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx += 1) {
        for (let gy = 0; gy < GLYPH_HEIGHT; gy += 1) {
          if (glyphPixel(char, gx, gy))
            this.fill(
              {
                x1: left + gx * scale,
                y1: y + gy * scale,
                x2: left + (gx + 1) * scale,
                y2: y + (gy + 1) * scale,
              },
              color,
            );
        }
      }
      left += advance(style);
    }
  }

  /** Lines stacked from `y`, each left aligned at `x` or centred on `centerX`. */
  lines(
    lines: readonly string[],
    position: { x?: number; centerX?: number; y: number },
    style: TextStyle,
    color: Rgb,
  ): void {
    lines.forEach((line, i) => {
      const x =
        position.centerX !== undefined
          ? Math.round(position.centerX - textWidth(line, style) / 2)
          : position.x!;
      this.text(line, x, position.y + i * style.lineHeight, style, color);
    });
  }

  encode(): Buffer {
    return PNG.sync.write(this.png, { colorType: 2, deflateLevel: 6 });
  }
}

const STATUS_STYLE: TextStyle = { scale: 2, lineHeight: 2 * GLYPH_HEIGHT };

function blockHeight(lines: readonly string[], style: TextStyle): number {
  return lines.length * style.lineHeight - (style.lineHeight - GLYPH_HEIGHT * style.scale);
}

function drawNode(canvas: Canvas, node: UiNode, cameraFrame: PNG | null): void {
  const { bounds } = node;
  const centerX = Math.round((bounds.x1 + bounds.x2) / 2);
  const middle = (lines: readonly string[], style: TextStyle) =>
    Math.round((bounds.y1 + bounds.y2) / 2 - blockHeight(lines, style) / 2);
  switch (node.role) {
    case 'window':
      return;
    case 'title':
      return canvas.lines(node.lines, { x: bounds.x1, y: bounds.y1 }, TITLE_STYLE, COLORS.title);
    case 'text':
      return canvas.lines(node.lines, { x: bounds.x1, y: bounds.y1 }, BODY_STYLE, COLORS.body);
    case 'button':
      canvas.fill(bounds, COLORS.button);
      return canvas.lines(
        node.lines,
        { centerX, y: middle(node.lines, BODY_STYLE) },
        BODY_STYLE,
        COLORS.buttonText,
      );
    case 'input': {
      canvas.fill(bounds, COLORS.field);
      const line = node.focused ? COLORS.fieldFocused : COLORS.fieldLine;
      canvas.fill({ ...bounds, y1: bounds.y2 - (node.focused ? 6 : 3) }, line);
      return canvas.lines(
        node.lines.slice(0, 1),
        { x: bounds.x1 + 16, y: middle(node.lines.slice(0, 1), BODY_STYLE) },
        BODY_STYLE,
        node.text === '' ? COLORS.hint : COLORS.title,
      );
    }
    case 'image': {
      const camera = node.key === 'cameraPreview';
      canvas.fill(bounds, camera ? COLORS.camera : COLORS.picture);
      const ink = camera ? COLORS.cameraText : COLORS.pictureInk;
      // A viewfinder for the camera, a phone outline for an illustration.
      const inset = camera
        ? { x1: centerX - 180, y1: bounds.y1 + 80, x2: centerX + 180, y2: bounds.y1 + 440 }
        : { x1: centerX - 70, y1: bounds.y1 + 40, x2: centerX + 70, y2: bounds.y2 - 120 };
      // The viewfinder shows what the camera sees (the frame injected last), as a preview would.
      if (camera && cameraFrame)
        canvas.picture(cameraFrame, {
          x1: inset.x1 + 6,
          y1: inset.y1 + 6,
          x2: inset.x2 - 6,
          y2: inset.y2 - 6,
        });
      canvas.frame(inset, ink, 6);
      return canvas.lines(node.lines, { centerX, y: bounds.y2 - 80 }, BODY_STYLE, ink);
    }
  }
}

/** A PNG of the screen; `status` is the status bar's text (the device it is), `cameraFrame` what the camera sees. */
export function renderScreenshot(
  screen: RenderedScreen,
  status: string,
  cameraFrame: PNG | null = null,
): Buffer {
  if (!screen.root) return new Canvas(screen.width, screen.height, COLORS.off).encode();
  const canvas = new Canvas(screen.width, screen.height, COLORS.background);
  canvas.fill({ x1: 0, y1: 0, x2: DISPLAY.width, y2: STATUS_BAR_HEIGHT }, COLORS.statusBar);
  canvas.text(
    status,
    24,
    Math.round((STATUS_BAR_HEIGHT - GLYPH_HEIGHT * STATUS_STYLE.scale) / 2),
    STATUS_STYLE,
    COLORS.statusText,
  );
  for (const node of screen.nodes) drawNode(canvas, node, cameraFrame);
  return canvas.encode();
}
