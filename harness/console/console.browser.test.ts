import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { DeviceChannelClient } from '../../agent/channel/DeviceChannelClient';
import { renderHierarchy } from '../../agent/appium-driver/render/hierarchy';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { parseProvisioningPayload, provisioningDetails } from '../../agent/provisioning/payload';
import { startBackend, type RunningBackend } from '../backend/server';
import { loadSelectors } from '../../agent/selectors/selectors';
import { RawChannel } from '../backend/testing/rawChannel';
import { launchBrowser } from '../testing/browser';
import { runCli } from '../testing/cli';
import { AdminClient } from '../world/AdminClient';

/**
 * The admin console in a real Chromium against a real backend on loopback: real devices over the
 * device channel, a real `stagesim fleet` process, the QR code read back from a screenshot with jsQR.
 * Set STAGESIM_CONSOLE_SCREENSHOTS=<folder> to keep the README's screenshots.
 */

const ADMIN_KEY = 'console-test-admin-key-0123456789';
const SHOTS = process.env.STAGESIM_CONSOLE_SCREENSHOTS;

interface Watched {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests, each one line. */
  problems: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

let backend: RunningBackend;
let admin: AdminClient;
let browser: Browser;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  backend = await startBackend();
  admin = new AdminClient(backend.url);
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await browser?.close();
  await backend?.close();
});

async function open(hash: string, base = backend.url): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const watched: Watched = { page, problems: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watched.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${String(error)}`));
  page.on('requestfailed', (request: HTTPRequest) => {
    // Leaving a page aborts its event stream, and Chromium calls a 204 "aborted" once it is answered
    // (revokeToken, createToken): neither is a failure of the page.
    if (!request.url().endsWith('/console/api/events') && request.response() === null)
      watched.problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  page.on('request', (request) => watched.requests.push(request.url()));
  await page.goto(`${base}/#/${hash}`, { waitUntil: 'load' });
  return watched;
}

const text = (page: Page, selector: string) => page.$eval(selector, (element) => element.textContent ?? '');

async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (css: string, source: string) => new RegExp(source).test(document.querySelector(css)?.textContent ?? ''),
    { timeout, polling: 100 },
    selector,
    pattern.source,
  );
}

/** A device on the backend's channel, powered on and walked to the QR reader as a vendor would. */
async function deviceAtQrReader(serialNumber: string): Promise<SimulatedDevice> {
  const device = new SimulatedDevice({
    profile: { serialNumber, manufacturer: 'Samsung', model: 'Galaxy XCover6 Pro', osVersion: '14' },
    service: new DeviceChannelClient({ url: backend.url }),
  });
  devices.push(device);
  device.pressPowerButton();
  device.send({ type: 'START' });
  device.send({ type: 'SELECT_LANGUAGE' });
  device.connectWifi();
  // With a network the setup wizard first asks the backend for a zero-touch or KME configuration;
  // a device with none goes on to the sign-in screen, where the vendor opens the QR reader.
  await device.settled();
  expect(device.view().screen.id).toBe('sign-in');
  device.send({ type: 'OPEN_QR_READER' });
  expect(device.view().screen.id).toBe('qr-reader');
  return device;
}

/** The title node of the hierarchy the Appium driver renders for the device now. */
function appiumTitle(device: SimulatedDevice): string {
  const { profile } = device;
  const selectors = loadSelectors({ androidVersion: profile.osVersion, manufacturer: profile.manufacturer });
  return renderHierarchy(device.view(), selectors).nodes.find((node) => node.role === 'title')!.text;
}

/** Waits until the backend has the device's state report (a person opens a device that is listed). */
async function reported(serialNumber: string): Promise<void> {
  for (let i = 0; i < 100 && !backend.channel.isConnected(serialNumber); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 100; i++) {
    const answer = await fetch(`${backend.url}/console/api/devices/${serialNumber}`);
    if (answer.ok && ((await answer.json()) as { screen: unknown }).screen) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`device ${serialNumber} never reported its screen`);
}

function shotOf(name: string, png: Uint8Array): void {
  if (SHOTS) fs.writeFileSync(path.join(SHOTS, name), png);
}

describe('admin console in Chromium', () => {
  test('every page renders with no console errors, from the backend alone', async () => {
    const profile = await admin.createProfile({
      displayName: 'Pages tour',
      enrollmentMode: 'corporateOwnedFullyManaged',
      enrollmentTokenType: 'deviceStaging',
    });
    await deviceAtQrReader('TOUR-1');
    await reported('TOUR-1');
    await admin.createAssignmentFilter('Tour filter', '(device.manufacturer -eq "Samsung")');

    const pages: Array<[string, RegExp]> = [
      ['devices', /^All devices$/],
      ['devices/TOUR-1', /^Device TOUR-1$/],
      ['profiles', /^Enrollment profiles$/],
      [`profiles/${profile.id}`, /^Enrollment profiles$/],
      ['targeting', /^Filters, groups, policies and apps$/],
      ['model', /^Device model, live$/],
    ];
    for (const [hash, heading] of pages) {
      const watched = await open(hash);
      await waitForText(watched.page, 'h1', heading);
      await waitForText(watched.page, '[data-testid=live]', /^Live$/);
      // Each page's own content, not just its heading.
      if (hash === 'devices/TOUR-1') {
        await watched.page.waitForSelector('.phone [data-key=cameraPreview]');
        expect(await text(watched.page, '.phone .a-title')).toBe(appiumTitle(devices[0]!));
      }
      if (hash.startsWith('profiles/')) await watched.page.waitForSelector('img[data-testid=qr]');
      if (hash === 'targeting') await waitForText(watched.page, '.card', /Tour filter/);
      if (hash === 'model') await watched.page.waitForSelector('svg.state-graph g.node.state g.count');
      expect({ hash, problems: watched.problems }).toEqual({ hash, problems: [] });
      const own = new URL(backend.url).origin;
      expect(watched.requests.filter((url) => !url.startsWith(own) && !url.startsWith('data:'))).toEqual([]);
      await watched.page.close();
    }
  });

  test('a fleet started while the page is open shows in the devices table and the state counts, without a reload', async () => {
    const profile = await admin.createProfile({
      displayName: 'Fleet watch',
      enrollmentMode: 'corporateOwnedFullyManaged',
      enrollmentTokenType: 'deviceStaging',
    });
    const table = await open('devices');
    const graph = await open('model');
    await waitForText(table.page, '[data-testid=live]', /^Live$/);
    await waitForText(graph.page, '[data-testid=live]', /^Live$/);
    await graph.page.waitForSelector('svg.state-graph g.node.state g.count');
    const enrolledBefore = await graph.page.$eval(
      'g.node[data-state="enrolled.readyForWork"] g.count text',
      (element) => Number(element.textContent),
    );
    // A reload would lose this mark.
    await table.page.evaluate('window.stillTheSamePage = true');
    await graph.page.evaluate('window.stillTheSamePage = true');

    const fleet = await runCli([
      'fleet',
      '--devices',
      '12',
      '--backend',
      backend.url,
      '--profile',
      profile.id,
    ]);
    expect(fleet.stderr).toBe('');
    expect(fleet.code).toBe(0);
    expect(fleet.stdout).toContain(`stagesim fleet: admin console at ${backend.url}/`);

    // Until every fleet row shows where its device ended: enrolled, named after its user.
    await table.page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('table.devices tbody tr')).filter((row) =>
          /@contoso\.com_AndroidEnterprise_.*Enrolled.*Fleet watch/.test(row.textContent ?? ''),
        ).length >= 12,
      { timeout: 30_000, polling: 100 },
    );
    const rows = await table.page.$$eval('table.devices tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
    );
    const fleetRows = rows.filter((cells) => cells[3] === 'Fleet watch');
    expect(fleetRows).toHaveLength(12);
    for (const cells of fleetRows) {
      // Name, stage, screen, profile, user: the user's name replaced the staging prefix.
      expect(cells[0]).toMatch(/@contoso\.com_AndroidEnterprise_/);
      expect(cells[1]).toBe('Enrolled');
      expect(cells[4]).toMatch(/@contoso\.com$/);
    }
    await graph.page.waitForFunction(
      (before: number) =>
        Number(
          document.querySelector('g.node[data-state="enrolled.readyForWork"] g.count text')?.textContent,
        ) >=
        before + 12,
      { timeout: 30_000, polling: 100 },
      enrolledBefore,
    );
    expect(await table.page.evaluate('window.stillTheSamePage')).toBe(true);
    expect(await graph.page.evaluate('window.stillTheSamePage')).toBe(true);

    // Clicking a state (here with the keyboard) lists its devices.
    await graph.page.$eval('g.node[data-state="enrolled.readyForWork"]', (node) =>
      (node as SVGElement).focus(),
    );
    await graph.page.keyboard.press('Enter');
    await waitForText(graph.page, '#state-devices', /enrolled\.readyForWork/);
    await graph.page.waitForFunction(() => document.querySelectorAll('section table tbody tr').length >= 12, {
      timeout: 30_000,
      polling: 100,
    });

    if (SHOTS) {
      // Wide enough for every column of the report.
      await table.page.setViewport({ width: 1600, height: 720 });
      await graph.page.setViewport({ width: 1600, height: 900 });
      await table.page.evaluate('window.scrollTo(0, 0)');
      shotOf('console-devices.png', await table.page.screenshot({ type: 'png' }));
      await graph.page.click('[data-testid=fit]');
      const drawing = (await graph.page.waitForSelector('.graph.fit'))!;
      await drawing.evaluate((element) => element.scrollIntoView());
      shotOf('console-model.png', await drawing.screenshot({ type: 'png' }));
    }
    expect(table.problems).toEqual([]);
    expect(graph.problems).toEqual([]);
    await table.page.close();
    await graph.page.close();
  });

  test('a profile created in the console shows a QR code that decodes to its token; revoking it there makes the next scan fail', async () => {
    const watched = await open('profiles');
    const { page } = watched;
    await waitForText(page, 'h1', /^Enrollment profiles$/);
    await page.type('input[name=displayName]', 'Made in the console');
    await page.select('select[name=enrollmentMode]', 'corporateOwnedWorkProfile');
    await page.select('select[name=enrollmentTokenType]', 'deviceStaging');
    await page.$eval('input[name=validityDays]', (input) => ((input as HTMLInputElement).value = ''));
    await page.type('input[name=validityDays]', '30');
    await page.click('form.create button[type=submit]');
    await page.waitForSelector('img[data-testid=qr]');
    // Settled: the image drawn at its size, and the list above it showing the new profile (the list's
    // live update would move the code while it is photographed).
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img[data-testid=qr]') as HTMLImageElement | null;
        const listed = Array.from(document.querySelectorAll('tbody tr')).some((row) =>
          (row.textContent ?? '').includes('Made in the console'),
        );
        return listed && img !== null && img.complete && img.style.width === `${img.naturalWidth / 2}px`;
      },
      { timeout: 30_000, polling: 100 },
    );

    const shown = (await text(page, '[data-testid=token]')).trim();
    const created = (await admin.listProfiles()).find((p) => p.displayName === 'Made in the console')!;
    expect(created.tokenValue).toBe(shown);
    expect(created.enrollmentMode).toBe('corporateOwnedWorkProfile');
    // 30 days from the backend clock, shown as a date.
    const expiry = Date.parse(String(created.tokenExpirationDateTime));
    expect(Math.round((expiry - Date.parse(String(created.tokenCreationDateTime))) / 86_400_000)).toBe(30);
    expect(await text(page, '[data-testid=expiry]')).not.toBe('—');

    // What the screen shows, read as a camera would: a screenshot of the drawn code, decoded by jsQR.
    const qr = (await page.$('img[data-testid=qr]'))!;
    const box = (await qr.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(380);
    expect(box.width % 1).toBe(0);
    const screenshot = Buffer.from(await qr.screenshot({ type: 'png' }));
    const png = PNG.sync.read(screenshot);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded).not.toBeNull();
    expect(provisioningDetails(parseProvisioningPayload(decoded!.data)).token).toBe(shown);

    // That screenshot works on a device now ...
    const before = await deviceAtQrReader('REVOKE-1');
    expect(await before.showQrCode(screenshot)).toBe('scanned');
    await before.settled();
    expect(before.view().errorReason).toBeNull();
    expect(before.stateName()).not.toBe('setupWizard.tokenRejected');

    // ... and after Revoke in the console, the next scan of the same code is refused as revoked.
    const after = await deviceAtQrReader('REVOKE-2');
    const [revoke] = await page.$$('xpath/.//button[normalize-space()="Revoke token"]');
    await revoke!.click();
    await waitForText(page, '.profile .pill', /^revoked$/);
    await page.waitForSelector('img[data-testid=qr]', { hidden: true });
    expect(await after.showQrCode(screenshot)).toBe('scanned');
    await after.settled();
    expect(after.view()).toMatchObject({ screen: { id: 'token-rejected' }, errorReason: 'revoked' });
    expect(watched.problems).toEqual([]);
    await page.close();
  });

  test("a device's page draws its screen from the hierarchy, and a tap there moves the device", async () => {
    const device = new SimulatedDevice({
      profile: { serialNumber: 'TAP-1', manufacturer: 'Google', model: 'Pixel 8', osVersion: '14' },
      service: new DeviceChannelClient({ url: backend.url }),
    });
    devices.push(device);
    device.pressPowerButton();
    await reported('TAP-1');
    const watched = await open('devices/TAP-1');
    const { page } = watched;
    await page.waitForSelector('.phone [data-key=startButton]');
    expect(await text(page, '.phone .a-title')).toBe(appiumTitle(device));
    // The button is a real button: reached with the keyboard and pressed with Enter.
    await page.focus('.phone [data-key=startButton]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.phone [data-key=nextButton]');
    expect(device.stateName()).toBe('setupWizard.language');
    expect(await text(page, '.phone .a-title')).toBe(appiumTitle(device));
    // The driver's own PNG is there as a fallback, at the simulated display's size.
    await page.click('.driver-shot summary');
    await page.waitForFunction(
      () => (document.querySelector('img[data-testid=driver-shot]') as HTMLImageElement | null)?.complete,
      { timeout: 30_000, polling: 100 },
    );
    expect(
      await page.$eval('img[data-testid=driver-shot]', (img) => [
        (img as HTMLImageElement).naturalWidth,
        (img as HTMLImageElement).naturalHeight,
      ]),
    ).toEqual([720, 1600]);
    expect(watched.problems).toEqual([]);
    await page.close();
  });

  test('a rule the API refuses is shown with its position marked', async () => {
    const watched = await open('targeting');
    const { page } = watched;
    await page.waitForSelector('textarea[name=filterRule]');
    const rule = '(device.manufacturer -eq "Samsung"';
    await page.type('input[name=filterName]', 'Broken rule');
    await page.type('textarea[name=filterRule]', rule);
    const [create] = await page.$$('xpath/.//button[normalize-space()="Create filter"]');
    await create!.click();
    await page.waitForSelector('[data-testid=rule-error-mark]');
    const message = await text(page, '.rule-error .error');
    const position = Number(/position (\d+)/.exec(message)![1]);
    expect(position).toBe(rule.length + 1);
    // Everything before the mark is the rule up to the position.
    const before = await page.$eval('.rule-error code', (code) => {
      let text = '';
      for (const node of Array.from(code.childNodes)) {
        if (node.nodeName === 'MARK') break;
        text += node.textContent ?? '';
      }
      return text;
    });
    expect(before).toBe(rule.slice(0, position - 1));
    // The field's caret is put there too.
    expect(
      await page.$eval('textarea[name=filterRule]', (area) => (area as HTMLTextAreaElement).selectionStart),
    ).toBe(position - 1);
    // The only console line is Chromium's note of the refused request itself.
    expect(watched.problems.filter((line) => !/status of 400/.test(line))).toEqual([]);
    await page.close();
  });

  test('a configuration profile created and assigned in the console is delivered to a staged device', async () => {
    const profile = await admin.createProfile({
      displayName: 'Console delivery',
      enrollmentMode: 'corporateOwnedFullyManaged',
      enrollmentTokenType: 'deviceStaging',
    });
    const filter = await admin.createAssignmentFilter(
      'Console delivery devices',
      '(device.enrollmentProfileName -eq "Console delivery")',
    );
    const watched = await open('targeting');
    const { page } = watched;
    const card = 'section[data-collection=deviceConfiguration]';
    await page.waitForSelector(`${card} input[name=resourceName]`);
    await page.type(`${card} input[name=resourceName]`, 'Console restrictions');
    await page.click(`${card} form:last-of-type button[type=submit]`);
    const item = `${card} li[data-resource="Console restrictions"]`;
    await page.waitForSelector(item);
    // Created as the backend requires it: Graph's device restrictions subtype.
    expect(await text(page, `${item} .muted`)).toBe('androidDeviceOwnerGeneralDeviceConfiguration');
    const [add] = await page.$$(
      `xpath/.//li[@data-resource="Console restrictions"]//button[normalize-space()="Add assignment"]`,
    );
    await add!.click();
    await page.waitForSelector(`${item} form.assign`);
    await page.select(`${item} select[name=target]`, '#microsoft.graph.allDevicesAssignmentTarget');
    await page.select(`${item} select[name=filter]`, filter.id);
    await page.select(`${item} select[name=filterMode]`, 'include');
    await page.click(`${item} form.assign button[type=submit]`);
    await waitForText(page, item, /apply: All devices, include filter Console delivery devices/);

    // What the console sent is Graph's: the profile and its assignment, read back over the API.
    const configurations = (await (
      await fetch(`${backend.url}/beta/deviceManagement/deviceConfigurations`)
    ).json()) as {
      value: Array<{ id: string; displayName: string; '@odata.type': string }>;
    };
    const created = configurations.value.find((c) => c.displayName === 'Console restrictions')!;
    expect(created['@odata.type']).toBe('#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration');
    const assignments = (await (
      await fetch(`${backend.url}/beta/deviceManagement/deviceConfigurations/${created.id}/assignments`)
    ).json()) as { value: unknown[] };
    expect(assignments.value).toEqual([
      expect.objectContaining({
        intent: 'apply',
        target: {
          '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: filter.id,
          deviceAndAppManagementAssignmentFilterType: 'include',
        },
      }),
    ]);

    // A vendor stages a device with the profile's token (stage 2); its page shows what it received.
    const channel = await RawChannel.open(backend.channelUrl);
    await channel.hello('CONSOLE-DELIVERY-1');
    await channel.request({ type: 'redeemToken', token: profile.tokenValue, method: 'qr' });
    const staged = await channel.request({ type: 'completeStage', stage: 'staged' });
    await channel.close();
    expect(staged.deliveries.policies).toEqual(['Console restrictions']);
    await page.goto(`${backend.url}/#/devices/CONSOLE-DELIVERY-1`, { waitUntil: 'load' });
    const delivered =
      '.delivered[data-collection=deviceConfiguration] li[data-resource="Console restrictions"]';
    await page.waitForSelector(delivered);
    await waitForText(page, delivered, /brought by All devices, filter Console delivery devices \(include\)/);
    expect(await text(page, delivered)).toMatch(/androidDeviceOwnerGeneralDeviceConfiguration/);
    expect(watched.problems).toEqual([]);
    await page.close();
  });

  test('a managed Google Play app is created with its package and assigned with an intent and an exclude filter', async () => {
    const filter = await admin.createAssignmentFilter(
      'Console app exclusions',
      '(device.model -eq "Pixel 8")',
    );
    const watched = await open('targeting');
    const { page } = watched;
    const card = 'section[data-collection=mobileApp]';
    await page.waitForSelector(`${card} input[name=packageId]`);
    await page.type(`${card} input[name=resourceName]`, 'Teams');
    await page.type(`${card} input[name=packageId]`, 'com.microsoft.teams');
    await page.click(`${card} form:last-of-type button[type=submit]`);
    const item = `${card} li[data-resource="Teams"]`;
    await page.waitForSelector(item);
    expect(await text(page, `${item} .muted`)).toBe('com.microsoft.teams');
    const [add] = await page.$$(
      `xpath/.//section[@data-collection="mobileApp"]//li[@data-resource="Teams"]//button[normalize-space()="Add assignment"]`,
    );
    await add!.click();
    await page.select(`${item} select[name=target]`, '#microsoft.graph.allLicensedUsersAssignmentTarget');
    await page.select(`${item} select[name=filter]`, filter.id);
    await page.select(`${item} select[name=filterMode]`, 'exclude');
    await page.select(`${item} select[name=intent]`, 'required');
    await page.click(`${item} form.assign button[type=submit]`);
    await waitForText(page, item, /required: All users, exclude filter Console app exclusions/);

    const apps = (await (await fetch(`${backend.url}/beta/deviceAppManagement/mobileApps`)).json()) as {
      value: Array<{ id: string; displayName: string; '@odata.type': string; packageId: string }>;
    };
    const teams = apps.value.find((app) => app.displayName === 'Teams')!;
    expect(teams).toMatchObject({
      '@odata.type': '#microsoft.graph.androidManagedStoreApp',
      packageId: 'com.microsoft.teams',
    });
    const assignments = (await (
      await fetch(`${backend.url}/beta/deviceAppManagement/mobileApps/${teams.id}/assignments`)
    ).json()) as { value: unknown[] };
    expect(assignments.value).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.mobileAppAssignment',
        intent: 'required',
        target: {
          '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: filter.id,
          deviceAndAppManagementAssignmentFilterType: 'exclude',
        },
      }),
    ]);
    expect(watched.problems).toEqual([]);
    await page.close();
  });

  test('with an admin key the console asks for it, and the key is never in a URL', async () => {
    const guarded = await startBackend({ adminKey: ADMIN_KEY });
    try {
      const watched = await open('devices', guarded.url);
      const { page } = watched;
      await page.waitForSelector('#admin-key');
      await page.type('#admin-key', ADMIN_KEY);
      await page.keyboard.press('Enter');
      await waitForText(page, 'h1', /^All devices$/);
      await waitForText(page, '[data-testid=live]', /^Live$/);
      expect(watched.requests.filter((url) => url.includes(ADMIN_KEY))).toEqual([]);
      expect(page.url()).not.toContain(ADMIN_KEY);
      expect(await page.evaluate(() => sessionStorage.getItem('stagesim.adminKey'))).toBe(ADMIN_KEY);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(watched.problems).toEqual([]);
      await page.close();
    } finally {
      await guarded.close();
    }
  });
});
