import { z } from 'zod';
import { StagesimError } from '../errors';
import { parseUiSelector } from '../appium-driver/uiSelector';

/**
 * The selector data files (agent/selectors/files/*.json): for each screen of the device model, how its title and
 * its elements are found on one Android build. A QA engineer adapting stagesim to another OEM's setup
 * wizard edits these files, not code; the simulated Appium driver renders its screens from them, so the
 * page objects find exactly what the files say.
 *
 * A locator is a set of attributes of the node (resource-id, content-desc, text, class). The page
 * objects pick the WebDriver strategy from it: `id` for a resource id alone, `accessibility id` for a
 * content-desc alone, `-android uiautomator` for anything else; `uiautomator` or `xpath` given
 * explicitly are used as they are (and must still select the node the attributes describe).
 */

const androidClassSchema = z
  .string()
  .regex(/^[a-z][\w]*(\.[\w$]+)+$/, 'a Java class name such as android.widget.Button');

export const locatorSchema = z
  .strictObject({
    resourceId: z
      .string()
      .regex(
        /^[A-Za-z][\w.]*:id\/[\w.]+$/,
        'a full resource id such as com.google.android.setupwizard:id/start',
      )
      .optional()
      .describe('The node\'s resource-id, with its package: "com.google.android.setupwizard:id/start".'),
    accessibilityId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("The node's content-desc (what TalkBack reads)."),
    text: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The text the node shows (only for text that never changes).'),
    className: androidClassSchema
      .optional()
      .describe(
        'The widget class, when it differs from the usual one (Button, TextView, EditText, ImageView).',
      ),
    uiautomator: z
      .string()
      .min(1)
      .max(1000)
      .superRefine((value, ctx) => {
        try {
          parseUiSelector(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .optional()
      .describe('A UiSelector chain used to find the node instead of the attributes.'),
    xpath: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('An XPath over the page source used to find the node instead of the attributes.'),
  })
  .refine(
    (locator) =>
      locator.resourceId ?? locator.accessibilityId ?? locator.text ?? locator.uiautomator ?? locator.xpath,
    {
      message: 'a locator needs at least one of resourceId, accessibilityId, text, uiautomator, xpath',
    },
  );
export type Locator = z.infer<typeof locatorSchema>;

export const screenSelectorsSchema = z.strictObject({
  package: z
    .string()
    .regex(/^[a-z][\w]*(\.[\w]+)*$/, 'an Android package name')
    .optional()
    .describe("The app package that shows the screen on this build; the catalogue's when left out."),
  title: locatorSchema
    .optional()
    .describe("The screen's title; its text is the model's title unless `text` gives this build's wording."),
  elements: z
    .record(z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'an element key of the screen catalogue'), locatorSchema)
    .default({}),
});
export type ScreenSelectors = z.infer<typeof screenSelectorsSchema>;

export const selectorFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z
    .string()
    .min(1)
    .max(2000)
    .describe('Which builds this file is for, and where its values come from.'),
  extends: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'the name of another selector file, without .json')
    .optional()
    .describe('The file this one overrides; "default" when left out (default.json extends nothing).'),
  screens: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a screen id'), screenSelectorsSchema),
});
export type SelectorFile = z.infer<typeof selectorFileSchema>;

export function parseSelectorFile(name: string, json: unknown): SelectorFile {
  const parsed = selectorFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StagesimError(
      'SELECTORS_INVALID',
      `${name}: ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
