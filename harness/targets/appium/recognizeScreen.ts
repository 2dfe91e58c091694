import { screens as catalogue } from '../../../agent/model/screens';
import { selectLocator, type ParsedSource } from './pageSource';
import {
  POWERED_OFF_SCREEN,
  type ResolvedScreen,
  type ResolvedSelectors,
} from '../../../agent/selectors/selectors';

/**
 * Which screen of the selector files a page source shows: the screen whose title is there (its locator,
 * with its text, in the screen's package) and all of whose elements are there. When two screens match
 * (one's elements a subset of the other's, like the vendor's and the user's Wi-Fi screens), the one with
 * more elements wins. An empty hierarchy is a device that is off.
 */
export interface RecognizedScreen {
  id: string;
  screen: ResolvedScreen | null;
  /** The text of each element of the screen, by catalogue key. */
  texts: Record<string, string>;
}

export function recognizeScreen(source: ParsedSource, selectors: ResolvedSelectors): RecognizedScreen | null {
  if (source.nodes.length === 0) return { id: POWERED_OFF_SCREEN, screen: null, texts: {} };
  let best: RecognizedScreen | null = null;
  let bestCount = -1;
  for (const screen of Object.values(selectors.screens)) {
    const title = selectLocator(source, screen.title);
    if (!title.some((node) => node.attributes.package === screen.package)) continue;
    const texts: Record<string, string> = {};
    let complete = true;
    for (const element of catalogue[screen.id]!.elements) {
      const found = selectLocator(source, screen.elements[element.key]!)[0];
      if (!found) {
        complete = false;
        break;
      }
      texts[element.key] = found.attributes.text;
    }
    const count = Object.keys(texts).length;
    if (complete && count > bestCount) {
      best = { id: screen.id, screen, texts };
      bestCount = count;
    }
  }
  return best;
}
