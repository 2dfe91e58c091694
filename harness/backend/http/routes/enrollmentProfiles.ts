import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isStagesimError } from '../../../../agent/errors';
import {
  enrollmentModeSchema,
  enrollmentTokenTypeSchema,
  type EnrollmentMode,
  type EnrollmentTokenType,
} from '../../../../agent/protocol/enrollment';
import { buildProvisioningPayload } from '../../../../agent/provisioning/payload';
import { deviceNameTemplateProblem } from '../../naming';
import type { Profile, TokenRecord } from '../../store/repository';
import { generateTokenValue, hashToken, maskToken, tokenExpiry, tokenTypeAllowed } from '../../tokens';
import { badRequest, notFound, parseWith } from '../graphError';
import { ID_PATTERN, type RouteDeps } from '../routeDeps';
import { profileView, wifiOptions } from '../views/profileView';

export const PROFILES_PATH = '/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles';

const editableFields = {
  displayName: z.string().trim().min(1).max(256),
  description: z.string().max(1024).nullable(),
  deviceNameTemplate: z.string().nullable(),
  configureWifi: z.boolean(),
  wifiSsid: z.string().nullable(),
  wifiPassword: z.string().nullable(),
  wifiSecurityType: z.enum(['none', 'wpa', 'wep']),
  wifiHidden: z.boolean(),
  roleScopeTagIds: z.array(z.string().max(64)).max(100),
};

const createSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.androidDeviceOwnerEnrollmentProfile').optional(),
  ...editableFields,
  description: editableFields.description.optional(),
  deviceNameTemplate: editableFields.deviceNameTemplate.optional(),
  configureWifi: editableFields.configureWifi.default(false),
  wifiSsid: editableFields.wifiSsid.optional(),
  wifiPassword: editableFields.wifiPassword.optional(),
  wifiSecurityType: editableFields.wifiSecurityType.default('none'),
  wifiHidden: editableFields.wifiHidden.default(false),
  roleScopeTagIds: editableFields.roleScopeTagIds.default(['0']),
  enrollmentMode: enrollmentModeSchema,
  enrollmentTokenType: enrollmentTokenTypeSchema.default('default'),
  /** When the first token expires (ignored for tokens that never expire). */
  tokenExpirationDateTime: z.iso.datetime({ offset: true }).optional(),
});

const patchSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.androidDeviceOwnerEnrollmentProfile').optional(),
  ...z.object(editableFields).partial().shape,
  // Present only to be refused when they differ: a profile's mode and token type are fixed.
  enrollmentMode: enrollmentModeSchema.optional(),
  enrollmentTokenType: enrollmentTokenTypeSchema.optional(),
});

const selectSchema = z.object({ $select: z.string().max(1024).optional() });

/** Graph's $select: only the named properties (and id). qrCodeImage is rendered only when selected. */
function selected(query: unknown): { names: Set<string> | null; withImage: boolean } {
  const { $select } = parseWith(selectSchema, query, 'query');
  if ($select === undefined) return { names: null, withImage: false };
  const names = new Set(
    $select
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  return { names, withImage: names.has('qrCodeImage') };
}

function project<T extends Record<string, unknown>>(view: T, names: Set<string> | null): Partial<T> {
  if (names === null) return view;
  return Object.fromEntries(
    Object.entries(view).filter(([key]) => key === 'id' || key === '@odata.type' || names.has(key)),
  ) as Partial<T>;
}

const createTokenSchema = z.strictObject({ tokenValidityInSeconds: z.number().int().positive().optional() });

function checkProfile(profile: Profile): void {
  if (!tokenTypeAllowed(profile.enrollmentMode, profile.tokenType)) {
    throw badRequest(
      profile.tokenType === 'deviceStaging'
        ? `enrollmentTokenType deviceStaging is available only for corporateOwnedFullyManaged and corporateOwnedWorkProfile profiles, not ${profile.enrollmentMode}`
        : `enrollmentTokenType ${profile.tokenType} is available only for corporateOwnedDedicatedDevice profiles, not ${profile.enrollmentMode}`,
    );
  }
  if (profile.deviceNameTemplate) {
    const problem = deviceNameTemplateProblem(profile.deviceNameTemplate);
    if (problem) throw badRequest(problem);
  }
  if (profile.configureWifi) {
    if (!profile.wifiSsid) throw badRequest('wifiSsid is required when configureWifi is true');
    try {
      // The QR payload builder is the authority on which Wi-Fi settings a device can take.
      buildProvisioningPayload({ token: 'CHECK', wifi: wifiOptions(profile) });
    } catch (error) {
      if (isStagesimError(error, 'PROVISIONING_OPTIONS_INVALID'))
        throw badRequest(error.message.replace('cannot build a provisioning payload: ', 'Wi-Fi settings: '));
      throw error;
    }
  }
}

function newToken(
  profileId: string,
  mode: EnrollmentMode,
  tokenType: EnrollmentTokenType,
  now: number,
  validitySeconds?: number,
): TokenRecord {
  let expiresAt: number | null;
  try {
    expiresAt = tokenExpiry(mode, tokenType, now, validitySeconds);
  } catch (error) {
    if (isStagesimError(error, 'TOKEN_VALIDITY_INVALID')) throw badRequest(error.message);
    throw error;
  }
  const value = generateTokenValue();
  return {
    id: randomUUID(),
    profileId,
    valueHash: hashToken(value),
    value,
    tokenType,
    enrollmentMode: mode,
    createdAt: now,
    expiresAt,
    state: 'active',
    endedAt: null,
  };
}

export function registerEnrollmentProfileRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store, clock, log } = deps;
  const load = (id: string): Profile => {
    const profile = ID_PATTERN.test(id) ? store.getProfile(id) : undefined;
    if (!profile) throw notFound(`no androidDeviceOwnerEnrollmentProfile with id ${id}`);
    return profile;
  };

  app.get(PROFILES_PATH, async (request) => {
    const { names, withImage } = selected(request.query);
    return {
      value: store.listProfiles().map((profile) => project(profileView(deps, profile, { withImage }), names)),
    };
  });

  app.post(PROFILES_PATH, async (request, reply) => {
    const body = parseWith(createSchema, request.body);
    const now = clock.now();
    const id = randomUUID();
    let validity: number | undefined;
    if (body.tokenExpirationDateTime !== undefined) {
      validity = Math.floor((Date.parse(body.tokenExpirationDateTime) - now) / 1000);
      if (validity < 1) throw badRequest('tokenExpirationDateTime must be in the future');
    }
    const token = newToken(id, body.enrollmentMode, body.enrollmentTokenType, now, validity);
    const profile: Profile = {
      id,
      displayName: body.displayName,
      description: body.description ?? null,
      enrollmentMode: body.enrollmentMode,
      tokenType: body.enrollmentTokenType,
      createdAt: now,
      modifiedAt: now,
      deviceNameTemplate: body.deviceNameTemplate ?? null,
      configureWifi: body.configureWifi,
      wifiSsid: body.wifiSsid ?? null,
      wifiPassword: body.wifiPassword ?? null,
      wifiSecurityType: body.wifiSecurityType,
      wifiHidden: body.wifiHidden,
      roleScopeTagIds: body.roleScopeTagIds,
      usageCount: 0,
      currentTokenId: token.id,
    };
    checkProfile(profile);
    store.createProfile(profile, token);
    log(
      `profile ${id} "${profile.displayName}" created with ${profile.tokenType} token ${maskToken(token.value!)}`,
    );
    return reply.code(201).send(profileView(deps, profile, { withImage: false }));
  });

  app.get<{ Params: { id: string } }>(`${PROFILES_PATH}/:id`, async (request) => {
    const profile = load(request.params.id);
    const { names, withImage } = selected(request.query);
    return project(profileView(deps, profile, { withImage }), names);
  });

  app.patch<{ Params: { id: string } }>(`${PROFILES_PATH}/:id`, async (request) => {
    const profile = load(request.params.id);
    const body = parseWith(patchSchema, request.body);
    if (body.enrollmentMode !== undefined && body.enrollmentMode !== profile.enrollmentMode) {
      throw badRequest(
        `enrollmentMode cannot be changed (the profile is ${profile.enrollmentMode}); create a new profile instead`,
      );
    }
    if (body.enrollmentTokenType !== undefined && body.enrollmentTokenType !== profile.tokenType) {
      throw badRequest(
        `enrollmentTokenType cannot be changed (the profile's is ${profile.tokenType}); create a new profile instead`,
      );
    }
    const { enrollmentMode: _mode, enrollmentTokenType: _type, '@odata.type': _odataType, ...changes } = body;
    const updated: Profile = { ...profile, ...stripUndefined(changes), modifiedAt: clock.now() };
    checkProfile(updated);
    store.updateProfile(updated);
    return profileView(deps, updated, { withImage: false });
  });

  app.delete<{ Params: { id: string } }>(`${PROFILES_PATH}/:id`, async (request, reply) => {
    const profile = load(request.params.id);
    store.deleteProfile(profile.id, clock.now());
    log(`profile ${profile.id} deleted; its token is revoked`);
    return reply.code(204).send();
  });

  // Graph's "replace token": a new token; the previous one is refused from now on as 'replaced'.
  app.post<{ Params: { id: string } }>(`${PROFILES_PATH}/:id/createToken`, async (request, reply) => {
    const profile = load(request.params.id);
    const body = parseWith(createTokenSchema, request.body);
    const now = clock.now();
    const token = newToken(
      profile.id,
      profile.enrollmentMode,
      profile.tokenType,
      now,
      body.tokenValidityInSeconds,
    );
    store.replaceToken(profile.id, token, now);
    log(`profile ${profile.id}: new token ${maskToken(token.value!)} replaces the previous one`);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>(`${PROFILES_PATH}/:id/revokeToken`, async (request, reply) => {
    const profile = load(request.params.id);
    parseWith(z.strictObject({}), request.body);
    if (store.revokeToken(profile.id, clock.now())) log(`profile ${profile.id}: token revoked`);
    return reply.code(204).send();
  });
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
