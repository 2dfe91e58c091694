import { drawableText, GLYPH_HEIGHT, GLYPH_WIDTH } from './bitmapFont';

/**
 * The simulated device's display and text metrics, shared by the page source (bounds) and the
 * screenshot (pixels), so what a test finds at a bounds is what a person sees there.
 */
export const DISPLAY = { width: 720, height: 1600 } as const;
export const MARGIN = 48;
export const STATUS_BAR_HEIGHT = 48;
export const CONTENT_WIDTH = DISPLAY.width - 2 * MARGIN;

export interface TextStyle {
  /** Pixels per font pixel. */
  scale: number;
  lineHeight: number;
}

export const TITLE_STYLE: TextStyle = { scale: 4, lineHeight: 4 * GLYPH_HEIGHT + 12 };
export const BODY_STYLE: TextStyle = { scale: 3, lineHeight: 3 * GLYPH_HEIGHT + 10 };

/** One glyph plus one column of spacing. */
export function advance(style: TextStyle): number {
  return (GLYPH_WIDTH + 1) * style.scale;
}

export function textWidth(text: string, style: TextStyle): number {
  const length = drawableText(text).length;
  return length === 0 ? 0 : length * advance(style) - style.scale;
}

/** Word-wraps `text` to `width` pixels; a word longer than a line is cut. */
export function wrapText(text: string, style: TextStyle, width: number): string[] {
  const perLine = Math.max(1, Math.floor((width + style.scale) / advance(style)));
  const lines: string[] = [];
  for (const paragraph of drawableText(text).split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      while (rest.length > perLine) {
        if (line) lines.push(line);
        lines.push(rest.slice(0, perLine));
        line = '';
        rest = rest.slice(perLine);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= perLine) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}
