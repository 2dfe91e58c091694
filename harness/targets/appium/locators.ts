import { uiSelectorFor } from '../../../agent/appium-driver/uiSelector';
import type { Locator } from '../../../agent/selectors/selectorSchema';

/**
 * The WebDriver query for a locator of the selector files: the explicit uiautomator or xpath when given,
 * `id` for a resource id alone, `accessibility id` for a content-desc alone, and otherwise a UiSelector
 * chain of every attribute (resource id, class, text, content-desc).
 */
export interface WebDriverQuery {
  using: 'id' | 'accessibility id' | 'xpath' | '-android uiautomator';
  value: string;
}

export function queryOf(locator: Locator): WebDriverQuery {
  if (locator.uiautomator) return { using: '-android uiautomator', value: locator.uiautomator };
  if (locator.xpath) return { using: 'xpath', value: locator.xpath };
  const { resourceId, accessibilityId, text, className } = locator;
  if (resourceId && !accessibilityId && !text && !className) return { using: 'id', value: resourceId };
  if (accessibilityId && !resourceId && !text && !className)
    return { using: 'accessibility id', value: accessibilityId };
  return {
    using: '-android uiautomator',
    value: uiSelectorFor({
      ...(resourceId ? { resourceId } : {}),
      ...(className ? { className } : {}),
      ...(text ? { text } : {}),
      ...(accessibilityId ? { description: accessibilityId } : {}),
    }),
  };
}

export function describeQuery(query: WebDriverQuery): string {
  return `${query.using} ${JSON.stringify(query.value)}`;
}
