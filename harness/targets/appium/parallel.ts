import { z } from 'zod';

/**
 * Device sessions at the same time (`--parallel`): one unless asked, which any Appium server can take.
 * Apart from AppiumTarget so that the CLI's help reads it without loading webdriverio.
 */
export const appiumParallelSchema = z.number().int().min(1).default(1);
