import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportForKnoxMobileEnrollment, exportForZeroTouch } from '../../../../agent/provisioning/payload';
import { conflict, notFound, parseWith } from '../graphError';
import { ID_PATTERN, iso, type RouteDeps } from '../routeDeps';
import { usableToken } from '../views/profileView';

/**
 * Routes Graph does not have, for harnesses and people driving the simulator:
 *   GET  /simulator/health                       liveness (no admin key needed)
 *   GET  /simulator/clock                        the backend clock
 *   POST /simulator/clock                        {"advanceSeconds": n} or {"now": "ISO date"}
 *   POST /simulator/reset                        forget everything, as a new backend on the same port
 *   GET  /simulator/ledger[?serialNumber=|managedDeviceId=]   stage transitions, oldest first
 *   GET  /simulator/enrollmentProfiles/{id}/tokenExport/zeroTouch            Zero Touch DPC extras JSON
 *   GET  /simulator/enrollmentProfiles/{id}/tokenExport/knoxMobileEnrollment KME custom JSON
 */
export const SIMULATOR_PATH = '/simulator';
export const HEALTH_PATH = `${SIMULATOR_PATH}/health`;

const clockSchema = z.union(
  [
    z.strictObject({ advanceSeconds: z.number().finite() }),
    z.strictObject({ now: z.iso.datetime({ offset: true }) }),
  ],
  { error: 'expected {"advanceSeconds": n} or {"now": "2024-06-22T04:20:00Z"}' },
);

const ledgerQuerySchema = z.strictObject({
  serialNumber: z.string().max(64).optional(),
  managedDeviceId: z.string().max(64).optional(),
});

/** A reset takes no options: no body, or an empty object. */
const resetSchema = z.strictObject({});

export function registerSimulatorRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  reset?: () => Promise<void>,
): void {
  const { store, clock } = deps;
  const clockView = () => ({ now: iso(clock.now()), offsetSeconds: clock.offset() / 1000 });

  // Health tells nothing but that the backend answers: it is the one route open without the admin key.
  app.get(HEALTH_PATH, async () => ({ status: 'ok' }));

  app.get(`${SIMULATOR_PATH}/clock`, async () => clockView());

  app.post(`${SIMULATOR_PATH}/clock`, async (request) => {
    const body = parseWith(clockSchema, request.body);
    if ('advanceSeconds' in body) clock.advance(body.advanceSeconds * 1000);
    else clock.set(Date.parse(body.now));
    deps.log(`clock moved to ${iso(clock.now())}`);
    return clockView();
  });

  if (reset)
    app.post(`${SIMULATOR_PATH}/reset`, async (request, reply) => {
      parseWith(resetSchema, request.body);
      await reset();
      return reply.code(204).send();
    });

  app.get(`${SIMULATOR_PATH}/ledger`, async (request) => {
    const query = parseWith(ledgerQuerySchema, request.query, 'query');
    const entries = store.listLedger({ serialNumber: query.serialNumber, deviceId: query.managedDeviceId });
    return {
      value: entries.map((entry) => ({
        seq: entry.seq,
        managedDeviceId: entry.deviceId,
        serialNumber: entry.serialNumber,
        fromStage: entry.fromStage,
        toStage: entry.toStage,
        at: iso(entry.at),
        actor: entry.actor,
        tokenId: entry.tokenId,
      })),
    };
  });

  const exporters = { zeroTouch: exportForZeroTouch, knoxMobileEnrollment: exportForKnoxMobileEnrollment };
  app.get<{ Params: { id: string; format: string } }>(
    `${SIMULATOR_PATH}/enrollmentProfiles/:id/tokenExport/:format`,
    async (request, reply) => {
      const { id, format } = request.params;
      if (!Object.hasOwn(exporters, format))
        throw notFound(`no token export format "${format}" (zeroTouch, knoxMobileEnrollment)`);
      const profile = ID_PATTERN.test(id) ? store.getProfile(id) : undefined;
      if (!profile) throw notFound(`no androidDeviceOwnerEnrollmentProfile with id ${id}`);
      const token = usableToken(deps, profile);
      if (!token)
        throw conflict('the profile has no usable token (it was revoked); create one with createToken first');
      if (token.expiresAt !== null && clock.now() >= token.expiresAt)
        throw conflict("the profile's token has expired; create a new one with createToken first");
      // Exporting reads the token; it changes nothing, on the profile or on any device.
      return reply.type('application/json').send(exporters[format as keyof typeof exporters](token.value!));
    },
  );
}
