import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { StagesimError } from '../errors';
import { nodeAttributes, pageSource, type RenderedScreen, type UiNode } from './render/hierarchy';
import { parseUiSelector, selectNodes } from './uiSelector';

/**
 * Which nodes of the rendered screen a locator selects, for each strategy the driver has: `id`
 * (resource-id, with or without the package, as UiAutomator2 accepts it), `accessibility id`
 * (content-desc), `class name`, `xpath` over the page source, and `-android uiautomator`. Pure, so the
 * selector files can be checked against it without a server.
 */

export const LOCATOR_STRATEGIES = ['id', 'accessibility id', 'class name', 'xpath', '-android uiautomator'];

function descendants(root: UiNode): UiNode[] {
  const out: UiNode[] = [];
  const walk = (node: UiNode) => node.children.forEach((child) => (out.push(child), walk(child)));
  walk(root);
  return out;
}

/** The nodes of the screen (or under `scope`) that the locator selects, in document order. */
export function selectOnScreen(
  screen: RenderedScreen,
  strategy: string,
  selector: string,
  scope?: UiNode,
): UiNode[] {
  const candidates = scope ? descendants(scope) : screen.nodes;
  switch (strategy) {
    case 'id': {
      return candidates.filter(
        (node) =>
          node.resourceId === selector ||
          (!selector.includes(':id/') && node.resourceId === `${node.package}:id/${selector}`),
      );
    }
    case 'accessibility id':
      return candidates.filter((node) => node.contentDesc === selector);
    case 'class name':
      return candidates.filter((node) => node.className === selector);
    case '-android uiautomator':
      return selectNodes(parseUiSelector(selector), candidates, nodeAttributes);
    case 'xpath':
      return selectByXpath(screen, selector, candidates);
    default:
      throw new StagesimError('UI_SELECTOR_INVALID', `locator strategy "${strategy}" is not supported`);
  }
}

function selectByXpath(screen: RenderedScreen, selector: string, candidates: UiNode[]): UiNode[] {
  const document = new DOMParser().parseFromString(pageSource(screen), 'text/xml');
  // DOM elements under <hierarchy> come in the same document order as screen.nodes.
  const domNodes: unknown[] = [];
  const hierarchy = document.documentElement;
  const walk = (element: XmlElement) => {
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) {
        domNodes.push(child);
        walk(child as XmlElement);
      }
    }
  };
  if (hierarchy) walk(hierarchy);
  let selected: unknown;
  try {
    // xmldom's nodes are what xpath walks; its types name the browser's DOM.
    selected = xpath.select(selector, document as unknown as Parameters<typeof xpath.select>[1]);
  } catch (error) {
    throw new StagesimError(
      'XPATH_INVALID',
      `invalid XPath ${JSON.stringify(selector)}: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(selected))
    throw new StagesimError('XPATH_INVALID', `XPath ${JSON.stringify(selector)} does not select elements`);
  const allowed = new Set(candidates);
  const found: UiNode[] = [];
  for (const item of selected) {
    const index = domNodes.indexOf(item);
    const node = index >= 0 ? screen.nodes[index] : undefined;
    if (node && allowed.has(node) && !found.includes(node)) found.push(node);
  }
  return found;
}
