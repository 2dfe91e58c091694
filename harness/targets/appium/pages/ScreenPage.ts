import { StagesimError } from '../../../../agent/errors';
import type { DeviceEventType } from '../../../../agent/model/events';
import {
  screens as catalogue,
  type ScreenDefinition,
  type ScreenElement,
} from '../../../../agent/model/screens';
import { describeQuery, queryOf, type WebDriverQuery } from '../locators';
import type { ResolvedScreen } from '../../../../agent/selectors/selectors';
import type { AppiumSession } from '../session';

/**
 * A page object for one screen: its elements by catalogue key, found with the locators of the selector
 * file chosen for the device. The model's action events map onto the element that sends them, so any
 * screen can `perform` what it offers; the screen-specific pages give those actions their names.
 */
export class ScreenPage {
  readonly definition: ScreenDefinition;

  constructor(
    protected readonly session: AppiumSession,
    readonly screen: ResolvedScreen,
  ) {
    this.definition = catalogue[screen.id]!;
  }

  get id(): string {
    return this.screen.id;
  }

  query(key: string): WebDriverQuery {
    const locator = this.screen.elements[key];
    if (!locator) throw new StagesimError('NO_SUCH_ELEMENT', `screen "${this.id}" has no element "${key}"`);
    return queryOf(locator);
  }

  async element(key: string): Promise<string> {
    const query = this.query(key);
    try {
      return await this.session.findElement(query.using, query.value);
    } catch (error) {
      if ((error as StagesimError).code === 'APPIUM_NO_SUCH_ELEMENT') {
        throw new StagesimError(
          'NO_SUCH_ELEMENT',
          `"${key}" (${describeQuery(query)}) is not on screen "${this.id}"`,
        );
      }
      throw error;
    }
  }

  async tap(key: string): Promise<void> {
    await this.session.click(await this.element(key));
  }

  async type(key: string, text: string): Promise<void> {
    const element = await this.element(key);
    await this.session.click(element);
    await this.session.setValue(element, text);
  }

  async read(key: string): Promise<string> {
    return this.session.text(await this.element(key));
  }

  /** The element a model action event is sent from on this screen. */
  elementFor(event: DeviceEventType): ScreenElement | undefined {
    return this.definition.elements.find((element) => element.action === event);
  }

  offers(event: DeviceEventType): boolean {
    return this.elementFor(event) !== undefined;
  }

  /** Does what sends `event` here: fills the field the button reads with `value`, then taps it. */
  async perform(event: DeviceEventType, value?: string): Promise<void> {
    const element = this.elementFor(event);
    if (!element)
      throw new StagesimError(
        'ACTION_NOT_AVAILABLE',
        `${event} is not possible on screen "${this.id}" (nothing on it sends ${event})`,
      );
    if (element.reads) await this.type(element.reads, value ?? '');
    await this.tap(element.key);
  }
}
