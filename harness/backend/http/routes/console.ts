import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { metaOfPath } from '../../../../agent/model/inspect';
import { POWER_BUTTON } from '../../../../agent/protocol/messages';
import { projectRoot } from '../../../../agent/projectRoot';
import type { ChannelServer } from '../../channel/ChannelServer';
import type { AdminConsole } from '../../console/adminConsole';
import { deviceScreen, deviceScreenshot, tappable } from '../../console/deviceScreen';
import { deviceReportQuerySchema } from '../../console/deviceReport';
import { modelGraph } from '../../console/modelGraph';
import { conflict, GraphError, notFound, parseWith } from '../graphError';
import { iso, type RouteDeps } from '../routeDeps';
import { managedDeviceView } from './managedDevices';

/**
 * The admin console: its page at `/`, its built script and style, and the few routes the public admin
 * API has no equivalent for (the devices report with paging done here, a device's live screen, a tap
 * relayed to a device, the model's live state counts, and the change feed as server-sent events).
 * Everything else the console does, it does through the public admin API, as any client would.
 * The page and its assets hold no data and are open; every /console/api route needs the admin key when
 * the backend has one (sent as a header: fetch streams the event feed, so the key is never in a URL).
 */
export interface ConsoleDeps {
  state: AdminConsole;
  channel: ChannelServer;
}

export const CONSOLE_API = '/console/api';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/console/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
/** Tells the page whether to ask for the admin key before its first call (a 401 would do, noisily). */
const SESSION_PATH = '/console/session';
/** Open without the admin key: the page, its assets and the session answer hold no data. */
export const CONSOLE_OPEN_PATHS = new Set([...Object.keys(ASSETS), SESSION_PATH]);

/** Nothing from anywhere else, no inline script: the bundle is all the page runs. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function consoleAssetFolder(): string {
  return join(projectRoot(), 'dist', 'console');
}

const serialParams = z.object({ serial: z.string().min(1).max(64) });
const pressSchema = z.strictObject({
  key: z.string().min(1).max(64).describe('the element of the current screen, or "powerButton"'),
  inputs: z
    .record(z.string().max(64), z.string().max(1024))
    .default({})
    .describe('text to type into the screen fields first'),
});

export function registerConsoleRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  consoleDeps: ConsoleDeps & { adminKeyRequired: boolean },
): void {
  const { state, channel } = consoleDeps;
  const { store } = deps;

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => {
      let body: Buffer;
      try {
        body = readFileSync(join(consoleAssetFolder(), asset.file));
      } catch {
        throw new GraphError(
          503,
          'ServiceUnavailable',
          'the admin console is not built: run npm run build (it bundles harness/console/web into dist/console)',
        );
      }
      return reply
        .type(asset.type)
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-cache')
        .send(body);
    });
  }

  app.get(SESSION_PATH, async () => ({ adminKeyRequired: consoleDeps.adminKeyRequired }));

  // Any admin change the public API made: consoles showing profiles or targeting reload them.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || reply.statusCode >= 400) return;
    const path = request.url.split('?')[0]!;
    if (path.startsWith('/beta/') || path.startsWith('/simulator/')) state.feed.notify('admin');
  });

  app.get(`${CONSOLE_API}/devices`, async (request) => {
    const query = parseWith(deviceReportQuerySchema, request.query, 'query');
    return { ...state.report.query(query), profiles: state.report.profileNames() };
  });

  app.get(`${CONSOLE_API}/devices/:serial`, async (request) => {
    const { serial } = parseWith(serialParams, request.params, 'path');
    const record = state.report.record(serial);
    const live = state.live.get(serial);
    if (!record && !live) throw notFound(`no device with serial number ${serial}`);
    return {
      serialNumber: serial,
      managedDevice: record?.managed ? managedDeviceView(record) : null,
      stage: record?.stage ?? null,
      connected: channel.isConnected(serial),
      modelState: live?.state ?? null,
      reportedAt: live ? iso(live.reportedAt) : null,
      screen: live ? deviceScreen(live) : null,
      ledger: record
        ? store.listLedger({ deviceId: record.id }).map((entry) => ({ ...entry, at: iso(entry.at) }))
        : [],
    };
  });

  // The driver's PNG, the fallback picture: fetched with the key in a header, shown from a blob: URL.
  app.get(`${CONSOLE_API}/devices/:serial/screenshot`, async (request, reply) => {
    const { serial } = parseWith(serialParams, request.params, 'path');
    const live = state.live.get(serial);
    if (!live) throw notFound(`device ${serial} has not reported its screen`);
    return reply.type('image/png').header('cache-control', 'no-store').send(deviceScreenshot(live));
  });

  app.post(`${CONSOLE_API}/devices/:serial/press`, async (request, reply) => {
    const { serial } = parseWith(serialParams, request.params, 'path');
    const body = parseWith(pressSchema, request.body);
    const live = state.live.get(serial);
    if (!live) throw notFound(`device ${serial} has not reported its screen`);
    if (body.key !== POWER_BUTTON && !tappable(live.state, body.key)) {
      throw conflict(
        `"${body.key}" is not something to tap on the screen "${metaOfPath(live.state).screen.id}" device ${serial} shows`,
      );
    }
    if (!channel.press(serial, { type: 'press', key: body.key, inputs: body.inputs }))
      throw conflict(`device ${serial} is not connected to this backend`);
    return reply.code(202).send({ relayed: true });
  });

  app.get(`${CONSOLE_API}/model`, async () => modelGraph());

  app.get(`${CONSOLE_API}/model/counts`, async () => ({
    devices: state.live.size(),
    counts: state.live.countsByState(),
  }));

  app.get(`${CONSOLE_API}/events`, async (_request, reply) => {
    reply.hijack();
    state.feed.subscribe(reply.raw);
  });
}
