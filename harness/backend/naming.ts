import { randomInt } from 'node:crypto';
import { StagesimError } from '../../agent/errors';
import type { EnrollmentMode } from '../../agent/protocol/enrollment';

/**
 * Device names the backend gives a device.
 *
 * 1. The report name (Graph's managedDeviceName, the name the "All devices" report shows, and the name
 *    the device is told): rendered from the backend's name templates. Placeholders are single-braced so
 *    they cannot be confused with Graph's {{...}} tokens:
 *      {SERIAL} {MODE} {DATE} (MM/DD/YYYY) {TIME} (h.mm AM) {UPN} (only after sign-in)
 *    The date and time are those of the stage-2 completion (staged or adminProvisioned), in the
 *    backend's time zone, and do not change at sign-in: the user only replaces the staging prefix.
 * 2. Graph's deviceName: the profile's deviceNameTemplate rendered, when the profile has one; otherwise
 *    the report name. A template that uses the user's name ({{USERNAME}}, {{UPNPREFIX}}) cannot be
 *    rendered while the device is userless, so the device keeps its report name until sign-in.
 */

export interface NameTemplates {
  staged: string;
  adminProvisioned: string;
  enrolled: string;
}

/**
 * The documented convention (device staging overview, "Reporting"), without the doc's typos and stray
 * spaces: `Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM` while staged, and
 * `john@contoso.com_AndroidEnterprise_06/22/2024_4.20 AM` after sign-in (the doc's convention for that
 * stage is Username_enrollmentmode_date_time: the serial goes with the prefix). A device enrolled with a
 * default token was never staged, so its userless name has no staging prefix.
 */
export const DEFAULT_NAME_TEMPLATES: NameTemplates = {
  staged: 'Staging_{SERIAL}_{MODE}_{DATE}_{TIME}',
  adminProvisioned: '{SERIAL}_{MODE}_{DATE}_{TIME}',
  enrolled: '{UPN}_{MODE}_{DATE}_{TIME}',
};

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const USERLESS_PLACEHOLDERS = new Set(['SERIAL', 'MODE', 'DATE', 'TIME']);
const USER_PLACEHOLDERS = new Set([...USERLESS_PLACEHOLDERS, 'UPN']);

/** Throws NAME_TEMPLATE_INVALID naming the template and the placeholder it cannot fill. */
export function checkNameTemplates(templates: NameTemplates): void {
  for (const [stage, template] of Object.entries(templates) as Array<[keyof NameTemplates, string]>) {
    const allowed = stage === 'enrolled' ? USER_PLACEHOLDERS : USERLESS_PLACEHOLDERS;
    if (template.trim() === '')
      throw new StagesimError('NAME_TEMPLATE_INVALID', `the ${stage} name template is empty`);
    for (const match of template.matchAll(PLACEHOLDER)) {
      if (!allowed.has(match[1]!)) {
        throw new StagesimError(
          'NAME_TEMPLATE_INVALID',
          `the ${stage} name template uses {${match[1]}}; it can use ${[...allowed].map((p) => `{${p}}`).join(' ')}`,
        );
      }
    }
  }
}

/** The enrollment-mode label in names: Intune's reports say AndroidEnterprise for both staging modes. */
export function modeLabel(mode: EnrollmentMode): string {
  return mode.startsWith('corporateOwnedAOSP') ? 'AOSP' : 'AndroidEnterprise';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws INVALID_TIME_ZONE for a zone Intl does not know. */
export function checkTimeZone(timeZone: string): void {
  dateFormatter(timeZone);
}

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: 'numeric',
        minute: '2-digit',
        hourCycle: 'h12',
      });
    } catch {
      throw new StagesimError(
        'INVALID_TIME_ZONE',
        `unknown time zone "${timeZone}" (use an IANA name such as UTC or Europe/Berlin)`,
      );
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface LocalTime {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  dayPeriod: string;
}

// Names only show minutes, and devices staged together share them: formatToParts once per minute.
let lastLocal: { key: string; value: LocalTime } | null = null;

function localTime(epochMs: number, timeZone: string): LocalTime {
  const key = `${timeZone}|${Math.floor(epochMs / 60_000)}`;
  if (lastLocal?.key === key) return lastLocal.value;
  const value = formatLocalTime(epochMs, timeZone);
  lastLocal = { key, value };
  return value;
}

function formatLocalTime(epochMs: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of dateFormatter(timeZone).formatToParts(epochMs)) parts[part.type] = part.value;
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    dayPeriod: parts.dayPeriod!.toUpperCase(),
  };
}

export interface ReportNameFacts {
  serialNumber: string;
  mode: EnrollmentMode;
  /** When stage 2 completed (epoch ms). */
  enrolledAt: number;
  upn: string | null;
}

/** The report name for a device in `stage`, e.g. `Staging_XX1234_AndroidEnterprise_06/22/2024_4.20 AM`. */
export function reportName(
  templates: NameTemplates,
  stage: keyof NameTemplates,
  facts: ReportNameFacts,
  timeZone: string,
): string {
  const time = localTime(facts.enrolledAt, timeZone);
  const values: Record<string, string> = {
    SERIAL: facts.serialNumber,
    MODE: modeLabel(facts.mode),
    DATE: `${time.month}/${time.day}/${time.year}`,
    TIME: `${time.hour}.${time.minute} ${time.dayPeriod}`,
    UPN: facts.upn ?? '',
  };
  return templates[stage].replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

// --- Graph's deviceNameTemplate ------------------------------------------------------------------

export const DEVICE_NAME_MAX = 63;
const GRAPH_TOKEN = /\{\{([^{}]*)\}\}/g;
const RAND = /^rand:([1-9])$/i;
const SIMPLE_TOKENS = new Set([
  'SERIAL',
  'SERIALLAST4DIGITS',
  'ENROLLMENTDATETIME',
  'DEVICETYPE',
  'USERNAME',
  'UPNPREFIX',
]);
const USER_TOKENS = new Set(['USERNAME', 'UPNPREFIX']);

/** Why a deviceNameTemplate is unusable, or null when it is fine. */
export function deviceNameTemplateProblem(template: string): string | null {
  if (template.length > DEVICE_NAME_MAX)
    return `deviceNameTemplate is ${template.length} characters; at most ${DEVICE_NAME_MAX}`;
  for (const match of template.matchAll(GRAPH_TOKEN)) {
    const token = match[1]!;
    if (!SIMPLE_TOKENS.has(token.toUpperCase()) && !RAND.test(token)) {
      return `deviceNameTemplate has an unknown token {{${token}}} at position ${match.index! + 1}; known: {{SERIAL}}, {{SERIALLAST4DIGITS}}, {{ENROLLMENTDATETIME}}, {{DEVICETYPE}}, {{USERNAME}}, {{UPNPREFIX}}, {{rand:x}} (x from 1 to 9)`;
    }
  }
  return null;
}

/** How many random digits a template's {{rand:x}} tokens use; drawn once per enrollment and stored. */
export function randomDigitsNeeded(template: string): number {
  let count = 0;
  for (const match of template.matchAll(GRAPH_TOKEN)) {
    const rand = RAND.exec(match[1]!);
    if (rand) count += Number(rand[1]);
  }
  return count;
}

export function drawRandomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i += 1) digits += String(randomInt(10));
  return digits;
}

export interface DeviceNameFacts {
  serialNumber: string;
  enrolledAt: number;
  upn: string | null;
  /** Digits for {{rand:x}}, consumed in order (from drawRandomDigits). */
  randomDigits: string;
}

/**
 * Renders a profile's deviceNameTemplate, or null when it needs the user and the device has none yet.
 * {{ENROLLMENTDATETIME}} is rendered as YYYYMMDDhhmm (24-hour, backend time zone): device names cannot
 * hold "/" or ":", and Graph documents no format. Names are cut to 63 characters, Android's limit.
 */
export function renderDeviceNameTemplate(
  template: string,
  facts: DeviceNameFacts,
  timeZone: string,
): string | null {
  let needsUser = false;
  for (const match of template.matchAll(GRAPH_TOKEN))
    if (USER_TOKENS.has(match[1]!.toUpperCase())) needsUser = true;
  if (needsUser && facts.upn === null) return null;

  let randomOffset = 0;
  const rendered = template.replace(GRAPH_TOKEN, (whole, token: string) => {
    const rand = RAND.exec(token);
    if (rand) {
      const count = Number(rand[1]);
      const digits = facts.randomDigits.slice(randomOffset, randomOffset + count).padEnd(count, '0');
      randomOffset += count;
      return digits;
    }
    switch (token.toUpperCase()) {
      case 'SERIAL':
        return facts.serialNumber;
      case 'SERIALLAST4DIGITS':
        return facts.serialNumber.slice(-4);
      case 'ENROLLMENTDATETIME':
        return compactDateTime(facts.enrolledAt, timeZone);
      case 'DEVICETYPE':
        return 'AndroidEnterprise';
      case 'USERNAME':
      case 'UPNPREFIX':
        return (facts.upn ?? '').split('@')[0]!;
      default:
        return whole;
    }
  });
  return rendered.slice(0, DEVICE_NAME_MAX);
}

function compactDateTime(epochMs: number, timeZone: string): string {
  const time = localTime(epochMs, timeZone);
  let hour = Number(time.hour) % 12;
  if (time.dayPeriod === 'PM') hour += 12;
  return `${time.year}${time.month}${time.day}${String(hour).padStart(2, '0')}${time.minute}`;
}
