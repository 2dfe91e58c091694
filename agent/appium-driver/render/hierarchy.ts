import type { DeviceView } from '../../device/SimulatedDevice';
import type { ElementKind } from '../../model/screens';
import type { ResolvedSelectors } from '../../selectors/selectors';
import type { NodeAttributes } from '../uiSelector';
import {
  BODY_STYLE,
  CONTENT_WIDTH,
  DISPLAY,
  MARGIN,
  STATUS_BAR_HEIGHT,
  TITLE_STYLE,
  wrapText,
} from './layout';

/**
 * The current screen as an Android view hierarchy: a FrameLayout of the app's window holding the title
 * and one widget per catalogue element, each with the resource-id, content-desc and text the selector
 * file gives it. The page source, element lookups and the screenshot are all read from this one tree.
 */

export interface Bounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export type NodeRole = 'window' | 'title' | ElementKind;

export interface UiNode {
  className: string;
  package: string;
  text: string;
  contentDesc: string;
  resourceId: string;
  /** An EditText's hint (shown while it is empty). */
  hint: string | null;
  clickable: boolean;
  focusable: boolean;
  focused: boolean;
  enabled: boolean;
  bounds: Bounds;
  /** Position among its siblings. */
  index: number;
  role: NodeRole;
  /** The catalogue key of the element this node shows; null for the window and the title. */
  key: string | null;
  /** The text as drawn, wrapped to the node's width. */
  lines: string[];
  children: UiNode[];
}

export interface RenderedScreen {
  screenId: string;
  /** Null while the device is off: nothing is on screen. */
  root: UiNode | null;
  /** Every node, depth first in document order (the order of the page source). */
  nodes: UiNode[];
  width: number;
  height: number;
}

const CLASS_OF: Record<ElementKind, string> = {
  button: 'android.widget.Button',
  input: 'android.widget.EditText',
  text: 'android.widget.TextView',
  image: 'android.widget.ImageView',
};

const GAP = 32;
const BUTTON_HEIGHT = 96;
const INPUT_HEIGHT = 104;
const IMAGE_HEIGHT: Record<string, number> = { cameraPreview: 640 };
const DEFAULT_IMAGE_HEIGHT = 360;
const TEXT_PADDING = 12;

export function renderHierarchy(
  view: DeviceView,
  selectors: ResolvedSelectors,
  focusedKey: string | null = null,
): RenderedScreen {
  const base = { screenId: view.screen.id, width: DISPLAY.width, height: DISPLAY.height };
  if (view.poweredOff) return { ...base, root: null, nodes: [] };
  const screen = selectors.screens[view.screen.id];
  if (!screen)
    throw new Error(`the selectors (${selectors.files.join(', ')}) have no screen "${view.screen.id}"`);
  const pkg = screen.package;

  const node = (partial: Partial<UiNode> & Pick<UiNode, 'className' | 'role' | 'bounds'>): UiNode => ({
    package: pkg,
    text: '',
    contentDesc: '',
    resourceId: '',
    hint: null,
    clickable: false,
    focusable: false,
    focused: false,
    enabled: true,
    index: 0,
    key: null,
    lines: [],
    children: [],
    ...partial,
  });

  const children: UiNode[] = [];
  let y = STATUS_BAR_HEIGHT + 72;
  const titleLines = wrapText(screen.title.text, TITLE_STYLE, CONTENT_WIDTH);
  const titleHeight = titleLines.length * TITLE_STYLE.lineHeight + TEXT_PADDING;
  children.push(
    node({
      className: screen.title.className ?? 'android.widget.TextView',
      role: 'title',
      text: screen.title.text,
      resourceId: screen.title.resourceId ?? '',
      contentDesc: screen.title.accessibilityId ?? '',
      bounds: { x1: MARGIN, y1: y, x2: MARGIN + CONTENT_WIDTH, y2: y + titleHeight },
      lines: titleLines,
    }),
  );
  y += titleHeight + GAP * 2;

  for (const element of view.elements) {
    const locator = screen.elements[element.key] ?? {};
    // A selector file may pin this build's wording of a fixed label; values that change are the device's.
    const text =
      element.kind === 'image'
        ? (locator.text ?? '')
        : element.kind === 'input'
          ? element.value
          : (locator.text ?? element.value);
    let height: number;
    let lines: string[];
    switch (element.kind) {
      case 'button':
        lines = wrapText(text, BODY_STYLE, CONTENT_WIDTH - 2 * MARGIN);
        height = Math.max(BUTTON_HEIGHT, lines.length * BODY_STYLE.lineHeight + 2 * TEXT_PADDING);
        break;
      case 'input':
        lines = wrapText(text === '' ? element.label : text, BODY_STYLE, CONTENT_WIDTH - 2 * TEXT_PADDING);
        height = INPUT_HEIGHT;
        break;
      case 'image':
        lines = wrapText(element.label, BODY_STYLE, CONTENT_WIDTH - 2 * MARGIN);
        height = IMAGE_HEIGHT[element.key] ?? DEFAULT_IMAGE_HEIGHT;
        break;
      case 'text':
        lines = text === '' ? [] : wrapText(text, BODY_STYLE, CONTENT_WIDTH);
        height = Math.max(BODY_STYLE.lineHeight, lines.length * BODY_STYLE.lineHeight) + TEXT_PADDING;
        break;
    }
    const tappable = element.kind === 'button' || element.kind === 'input' || element.action !== undefined;
    children.push(
      node({
        className: locator.className ?? CLASS_OF[element.kind],
        role: element.kind,
        key: element.key,
        text,
        resourceId: locator.resourceId ?? '',
        contentDesc: locator.accessibilityId ?? '',
        hint: element.kind === 'input' ? element.label : null,
        clickable: tappable,
        focusable: tappable,
        focused: element.key === focusedKey,
        bounds: { x1: MARGIN, y1: y, x2: MARGIN + CONTENT_WIDTH, y2: Math.min(DISPLAY.height, y + height) },
        lines,
      }),
    );
    y += height + GAP;
  }
  children.forEach((child, index) => (child.index = index));

  const root = node({
    className: 'android.widget.FrameLayout',
    role: 'window',
    bounds: { x1: 0, y1: STATUS_BAR_HEIGHT, x2: DISPLAY.width, y2: DISPLAY.height },
    children,
  });
  return { ...base, root, nodes: [root, ...children] };
}

export function boundsText(bounds: Bounds): string {
  return `[${bounds.x1},${bounds.y1}][${bounds.x2},${bounds.y2}]`;
}

/** The attributes UiSelector criteria and attribute commands read. */
export function nodeAttributes(node: UiNode): NodeAttributes {
  return {
    text: node.text,
    'content-desc': node.contentDesc,
    'resource-id': node.resourceId,
    class: node.className,
    package: node.package,
    clickable: node.clickable,
    enabled: node.enabled,
    focused: node.focused,
    focusable: node.focusable,
    checked: false,
    selected: false,
    scrollable: false,
    index: node.index,
  };
}

/** Every attribute UiAutomator2 puts in its page source, in its order, as strings. */
export function pageSourceAttributes(node: UiNode): Array<[string, string]> {
  const attributes: Array<[string, string]> = [
    ['index', String(node.index)],
    ['package', node.package],
    ['class', node.className],
    ['text', node.text],
    ['content-desc', node.contentDesc],
    ['resource-id', node.resourceId],
    ['checkable', 'false'],
    ['checked', 'false'],
    ['clickable', String(node.clickable)],
    ['enabled', String(node.enabled)],
    ['focusable', String(node.focusable)],
    ['focused', String(node.focused)],
    ['long-clickable', 'false'],
    ['password', 'false'],
    ['scrollable', 'false'],
    ['selected', 'false'],
    ['bounds', boundsText(node.bounds)],
    ['displayed', 'true'],
  ];
  if (node.hint !== null) attributes.push(['hint', node.hint]);
  return attributes;
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** The page source in UiAutomator2's form: a `hierarchy` root, elements named by their class. */
export function pageSource(screen: RenderedScreen): string {
  const out: string[] = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"];
  const open = `<hierarchy index="0" class="hierarchy" rotation="0" width="${screen.width}" height="${screen.height}"`;
  if (!screen.root) {
    out.push(`${open} />`);
    return out.join('\n');
  }
  out.push(`${open}>`);
  const write = (node: UiNode, depth: number) => {
    const indent = '  '.repeat(depth);
    const attributes = pageSourceAttributes(node)
      .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
      .join(' ');
    if (node.children.length === 0) {
      out.push(`${indent}<${node.className} ${attributes} />`);
      return;
    }
    out.push(`${indent}<${node.className} ${attributes}>`);
    node.children.forEach((child) => write(child, depth + 1));
    out.push(`${indent}</${node.className}>`);
  };
  write(screen.root, 1);
  out.push('</hierarchy>');
  return out.join('\n');
}
