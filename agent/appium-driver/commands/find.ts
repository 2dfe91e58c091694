import { W3C_ELEMENT_KEY } from '@appium/base-driver';
import { StagesimError } from '../../errors';
import type { StagesimDriver } from '../driver';
import { asWebDriver } from '../driverErrors';
import { selectOnScreen } from '../select';

/** Finding elements with the strategies of select.ts, honouring the implicit wait the client set. */

type ElementRef = Record<typeof W3C_ELEMENT_KEY, string>;

const POLL_MS = 50;

export async function findElOrEls(
  this: StagesimDriver,
  strategy: string,
  selector: string,
  mult: true,
  context?: string,
): Promise<ElementRef[]>;
export async function findElOrEls(
  this: StagesimDriver,
  strategy: string,
  selector: string,
  mult: false,
  context?: string,
): Promise<ElementRef>;
export async function findElOrEls(
  this: StagesimDriver,
  strategy: string,
  selector: string,
  mult: boolean,
  context?: string,
): Promise<ElementRef | ElementRef[]> {
  return asWebDriver('command', async () => {
    const session = this.deviceSession();
    const deadline = Date.now() + this.implicitWaitMs;
    for (;;) {
      await session.idle();
      const screen = session.render();
      const scope = context ? session.node(context).node : undefined;
      const nodes = selectOnScreen(screen, strategy, selector, scope);
      if (nodes.length > 0 || Date.now() >= deadline) {
        const refs = nodes.map(
          (node) => ({ [W3C_ELEMENT_KEY]: session.elementId(screen, node) }) as ElementRef,
        );
        if (mult) return refs;
        if (refs.length === 0) {
          throw new StagesimError(
            'NO_SUCH_ELEMENT',
            `no element on screen "${screen.screenId}" matches ${strategy} ${JSON.stringify(selector)}`,
          );
        }
        return refs[0]!;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });
}
