import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StagesimError } from '../errors';
import { leafStateNodes, metaOfPath, pathOfNode } from '../model/inspect';
import { screens as catalogue } from '../model/screens';
import { projectRoot } from '../projectRoot';
import { androidMajor } from '../protocol/enrollment';
import { parseSelectorFile, type Locator, type SelectorFile } from './selectorSchema';

/**
 * Picks and merges the selector files for one device: `android-<major>-<manufacturer>.json`, else
 * `android-<major>.json`, else `<manufacturer>.json`, over what it extends, down to `default.json`.
 * The result covers every screen and element of the catalogue, or loading fails with the file and the
 * missing key (SELECTORS_INVALID); SELECTORS_NOT_FOUND when default.json itself is missing.
 */

/** The screen that has nothing on it: a device that is off shows an empty hierarchy, not a screen. */
export const POWERED_OFF_SCREEN = 'powered-off';

export interface ResolvedScreen {
  id: string;
  package: string;
  /** The title node's locator, its text filled in (this build's wording, or the model's title). */
  title: Locator & { text: string };
  elements: Record<string, Locator>;
}

export interface ResolvedSelectors {
  /** The files applied, most specific first (for reports and error messages). */
  files: string[];
  screens: Record<string, ResolvedScreen>;
}

export interface SelectorDevice {
  androidVersion: string;
  manufacturer: string;
}

export function defaultSelectorFolder(): string {
  return join(projectRoot(), 'agent', 'selectors', 'files');
}

/** "Zebra Technologies" -> "zebra-technologies": how a manufacturer appears in a file name. */
export function manufacturerSlug(manufacturer: string): string {
  return manufacturer
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The files to look for, most specific first. */
export function candidateFiles(device: SelectorDevice): string[] {
  const major = androidMajor(device.androidVersion);
  const oem = manufacturerSlug(device.manufacturer);
  return [`android-${major}-${oem}`, `android-${major}`, oem].filter((name) => name.length > 0);
}

let titles: Map<string, string> | null = null;

/** The title of each screen id, as the model's states name it. */
export function screenTitles(): Map<string, string> {
  if (titles) return titles;
  titles = new Map();
  for (const node of leafStateNodes()) {
    const { screen } = metaOfPath(pathOfNode(node));
    if (!titles.has(screen.id)) titles.set(screen.id, screen.title);
  }
  return titles;
}

const cache = new Map<string, ResolvedSelectors>();

export function loadSelectors(
  device: SelectorDevice,
  folder: string = defaultSelectorFolder(),
): ResolvedSelectors {
  const chosen = candidateFiles(device).find((name) => existsSync(join(folder, `${name}.json`))) ?? 'default';
  const key = `${folder}\u0000${chosen}`;
  let resolved = cache.get(key);
  if (!resolved) {
    resolved = resolveFile(chosen, folder);
    cache.set(key, resolved);
  }
  return resolved;
}

function readFile(name: string, folder: string): SelectorFile {
  const path = join(folder, `${name}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new StagesimError(
      name === 'default' ? 'SELECTORS_NOT_FOUND' : 'SELECTORS_INVALID',
      `${name}.json: cannot read ${path}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StagesimError('SELECTORS_INVALID', `${name}.json: not valid JSON: ${(error as Error).message}`);
  }
  return parseSelectorFile(`${name}.json`, json);
}

/** Reads `name` and everything it extends, and merges them (the more specific file wins per element). */
export function resolveFile(name: string, folder: string = defaultSelectorFolder()): ResolvedSelectors {
  const chain: Array<{ name: string; file: SelectorFile }> = [];
  for (let current: string | undefined = name; current !== undefined;) {
    if (chain.some((entry) => entry.name === current)) {
      throw new StagesimError(
        'SELECTORS_INVALID',
        `${name}.json: "extends" goes round in a circle (${[...chain.map((c) => c.name), current].join(' -> ')})`,
      );
    }
    const file = readFile(current, folder);
    chain.push({ name: current, file });
    current = current === 'default' ? undefined : (file.extends ?? 'default');
  }

  const screens: Record<string, ResolvedScreen> = {};
  const screenTitle = screenTitles();
  for (const [screenId, definition] of Object.entries(catalogue)) {
    if (screenId === POWERED_OFF_SCREEN) continue;
    // Most general first, so a more specific file overrides per element.
    let pkg: string | undefined;
    let title: Locator | undefined;
    const elements: Record<string, Locator> = {};
    for (const { file } of [...chain].reverse()) {
      const entry = file.screens[screenId];
      if (!entry) continue;
      pkg = entry.package ?? pkg;
      title = entry.title ?? title;
      Object.assign(elements, entry.elements);
    }
    const where = `${chain.map((c) => `${c.name}.json`).join(' over ')}`;
    if (!title)
      throw new StagesimError(
        'SELECTORS_INVALID',
        `${where}: screens.${screenId}.title: missing (every screen needs a title locator)`,
      );
    for (const element of definition.elements) {
      if (!elements[element.key])
        throw new StagesimError(
          'SELECTORS_INVALID',
          `${where}: screens.${screenId}.elements.${element.key}: missing`,
        );
    }
    screens[screenId] = {
      id: screenId,
      package: pkg ?? definition.appPackage,
      title: { ...title, text: title.text ?? screenTitle.get(screenId)! },
      elements,
    };
  }

  // Keys nobody would render are mistakes (a typo would otherwise be ignored silently).
  for (const { name: fileName, file } of chain) {
    for (const [screenId, entry] of Object.entries(file.screens)) {
      const definition = catalogue[screenId];
      if (!definition || screenId === POWERED_OFF_SCREEN) {
        throw new StagesimError(
          'SELECTORS_INVALID',
          `${fileName}.json: screens.${screenId}: not a screen of the catalogue (agent/model/screens.ts)`,
        );
      }
      for (const [key, locator] of Object.entries(entry.elements)) {
        const element = definition.elements.find((candidate) => candidate.key === key);
        if (!element) {
          throw new StagesimError(
            'SELECTORS_INVALID',
            `${fileName}.json: screens.${screenId}.elements.${key}: screen "${screenId}" has no such element (it has ${definition.elements.map((e) => e.key).join(', ') || 'none'})`,
          );
        }
        // Text that changes (typed values, messages, names) cannot locate its node.
        if (locator.text !== undefined && (element.kind === 'input' || element.label === '')) {
          throw new StagesimError(
            'SELECTORS_INVALID',
            `${fileName}.json: screens.${screenId}.elements.${key}.text: "${key}" shows text that changes; locate it by resourceId or accessibilityId`,
          );
        }
      }
    }
  }
  return { files: chain.map((entry) => entry.name), screens };
}
