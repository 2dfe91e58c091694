import { StagesimError } from '../../errors';
import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';
import { boundsText, pageSourceAttributes, type UiNode } from '../render/hierarchy';

/**
 * Element commands. A click does what a tap does on the device: a button or a tappable image sends its
 * model action (a button that submits a field reads it), a field takes the focus, anything else does
 * nothing (as tapping a label on Android does). Every action waits until the device is idle again.
 */

function catalogueElement(this: StagesimDriver, node: UiNode) {
  return node.key === null
    ? undefined
    : this.deviceSession()
        .view()
        .elements.find((element) => element.key === node.key);
}

export async function click(this: StagesimDriver, elementId: string): Promise<void> {
  return asWebDriver('element', async () => {
    const session = this.deviceSession();
    await session.idle();
    const { node } = session.node(elementId);
    const element = catalogueElement.call(this, node);
    if (!element) return;
    if (element.kind === 'input') return session.focus(element.key);
    if (!element.action) return;
    session.focus(null);
    session.device.tap(element.key);
    await session.idle();
  });
}

function editable(this: StagesimDriver, elementId: string): string {
  const { node } = this.deviceSession().node(elementId);
  const element = catalogueElement.call(this, node);
  if (!element || element.kind !== 'input') {
    throw new StagesimError(
      'ELEMENT_NOT_EDITABLE',
      `the ${node.className}${node.resourceId ? ` ${node.resourceId}` : ''} is not a text field`,
    );
  }
  return element.key;
}

/** Types into a field, replacing its text (UiAutomator2 sets the text, it does not append). */
export async function setValue(
  this: StagesimDriver,
  text: string | string[],
  elementId: string,
): Promise<void> {
  return asWebDriver('element', async () => {
    const session = this.deviceSession();
    await session.idle();
    const key = editable.call(this, elementId);
    session.focus(key);
    session.device.type(key, Array.isArray(text) ? text.join('') : String(text));
  });
}

export async function clear(this: StagesimDriver, elementId: string): Promise<void> {
  return asWebDriver('element', async () => {
    const session = this.deviceSession();
    await session.idle();
    session.device.type(editable.call(this, elementId), '');
  });
}

async function read<T>(driver: StagesimDriver, elementId: string, pick: (node: UiNode) => T): Promise<T> {
  return asWebDriver('element', async () => {
    const session = driver.deviceSession();
    await session.idle();
    return pick(session.node(elementId).node);
  });
}

export async function getText(this: StagesimDriver, elementId: string): Promise<string> {
  return read(this, elementId, (node) => node.text);
}

/** Attribute names as UiAutomator2 takes them: page-source names plus their camelCase aliases. */
const ALIASES: Record<string, string> = {
  contentDescription: 'content-desc',
  name: 'content-desc',
  resourceId: 'resource-id',
  className: 'class',
  longClickable: 'long-clickable',
};

export async function getAttribute(
  this: StagesimDriver,
  name: string,
  elementId: string,
): Promise<string | null> {
  return read(this, elementId, (node) => {
    const wanted = ALIASES[name] ?? name;
    if (wanted === 'bounds') return boundsText(node.bounds);
    const found = pageSourceAttributes(node).find(([attribute]) => attribute === wanted);
    return found ? found[1] : null;
  });
}

export async function elementDisplayed(this: StagesimDriver, elementId: string): Promise<boolean> {
  return read(this, elementId, () => true);
}

export async function elementEnabled(this: StagesimDriver, elementId: string): Promise<boolean> {
  return read(this, elementId, (node) => node.enabled);
}

export async function elementSelected(this: StagesimDriver, elementId: string): Promise<boolean> {
  return read(this, elementId, () => false);
}

/** The tag name: UiAutomator2 answers the widget class. */
export async function getName(this: StagesimDriver, elementId: string): Promise<string> {
  return read(this, elementId, (node) => node.className);
}

export async function getElementRect(this: StagesimDriver, elementId: string) {
  return read(this, elementId, ({ bounds }) => ({
    x: bounds.x1,
    y: bounds.y1,
    width: bounds.x2 - bounds.x1,
    height: bounds.y2 - bounds.y1,
  }));
}
