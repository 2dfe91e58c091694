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
import { readBody } from '../odata/body';
import type { EntitySet } from '../odata/entitySet';
import { readQueryOptions } from '../odata/query';
import { answerCollection, answerEntity, entityResponse } from '../odata/respond';
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
  isTeamsDeviceProfile: z.boolean(),
  roleScopeTagIds: z.array(z.string().max(64)).max(100),
};

const odataType = z.literal('#microsoft.graph.androidDeviceOwnerEnrollmentProfile').optional();

/** Defaults are the documented ones: configureWifi "Default value is TRUE" (the resource page). */
const createSchema = z.strictObject({
  '@odata.type': odataType,
  ...editableFields,
  description: editableFields.description.optional(),
  deviceNameTemplate: editableFields.deviceNameTemplate.optional(),
  configureWifi: editableFields.configureWifi.default(true),
  wifiSsid: editableFields.wifiSsid.optional(),
  wifiPassword: editableFields.wifiPassword.optional(),
  wifiSecurityType: editableFields.wifiSecurityType.default('none'),
  wifiHidden: editableFields.wifiHidden.default(false),
  isTeamsDeviceProfile: editableFields.isTeamsDeviceProfile.default(false),
  roleScopeTagIds: editableFields.roleScopeTagIds.nullable().default(['0']),
  enrollmentMode: enrollmentModeSchema,
  enrollmentTokenType: enrollmentTokenTypeSchema.default('default'),
  /** When the first token expires (ignored for tokens that never expire). */
  tokenExpirationDateTime: z.iso.datetime({ offset: true }).optional(),
});

const patchSchema = z.strictObject({
  '@odata.type': odataType,
  ...z.object(editableFields).partial().shape,
  roleScopeTagIds: editableFields.roleScopeTagIds.nullable().optional(),
  // Present only to be refused when they differ: a profile's mode and token type are fixed.
  enrollmentMode: enrollmentModeSchema.optional(),
  enrollmentTokenType: enrollmentTokenTypeSchema.optional(),
  // A GET-then-PATCH sends it back; a token's validity is set by createToken, so it is not changed here.
  tokenExpirationDateTime: z.string().nullable().optional(),
});

/** What GET shows; every one of these names may be $select-ed. */
export const PROFILE_PROPERTIES = [
  'id',
  'accountId',
  'displayName',
  'description',
  'enrollmentMode',
  'enrollmentTokenType',
  'createdDateTime',
  'lastModifiedDateTime',
  'tokenValue',
  'tokenCreationDateTime',
  'tokenExpirationDateTime',
  'enrolledDeviceCount',
  'enrollmentTokenUsageCount',
  'qrCodeContent',
  'qrCodeImage',
  'deviceNameTemplate',
  'configureWifi',
  'wifiSsid',
  'wifiPassword',
  'wifiSecurityType',
  'wifiHidden',
  'isTeamsDeviceProfile',
  'roleScopeTagIds',
  'simulatorTokenId',
  'simulatorTokenState',
] as const;

/**
 * The resource page: deviceNameTemplate "Supports: $select, $top, $skip. $Search, $orderBy and $filter
 * are not supported." $count is not listed either, so it is refused too.
 */
export const ENROLLMENT_PROFILES: EntitySet = {
  path: 'deviceManagement/androidDeviceOwnerEnrollmentProfiles',
  type: 'microsoft.graph.androidDeviceOwnerEnrollmentProfile',
  properties: PROFILE_PROPERTIES,
  skip: true,
  maxPageSize: 1000,
  readOnly: [
    'id',
    'accountId',
    'createdDateTime',
    'lastModifiedDateTime',
    'tokenValue',
    'tokenCreationDateTime',
    'enrolledDeviceCount',
    'enrollmentTokenUsageCount',
    'qrCodeContent',
    'qrCodeImage',
    'simulatorTokenId',
    'simulatorTokenState',
  ],
};

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
  // configureWifi defaults to true (as documented); with no SSID there is no network to configure.
  if (wifiOptions(profile)) {
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
    const options = readQueryOptions(ENROLLMENT_PROFILES, request.query, 'collection');
    const withImage = options.select?.includes('qrCodeImage') ?? false;
    const views = () => store.listProfiles().map((profile) => profileView(deps, profile, { withImage }));
    return answerCollection(request, ENROLLMENT_PROFILES, { all: views }, options);
  });

  app.post(PROFILES_PATH, async (request, reply) => {
    const body = readBody(ENROLLMENT_PROFILES, createSchema, request.body);
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
      isTeamsDeviceProfile: body.isTeamsDeviceProfile,
      roleScopeTagIds: body.roleScopeTagIds ?? [],
      usageCount: 0,
      currentTokenId: token.id,
    };
    checkProfile(profile);
    store.createProfile(profile, token);
    log(
      `profile ${id} "${profile.displayName}" created with ${profile.tokenType} token ${maskToken(token.value!)}`,
    );
    return reply
      .code(201)
      .send(entityResponse(request, ENROLLMENT_PROFILES, profileView(deps, profile, { withImage: false })));
  });

  app.get<{ Params: { id: string } }>(`${PROFILES_PATH}/:id`, async (request) => {
    const profile = load(request.params.id);
    return answerEntity(request, ENROLLMENT_PROFILES, ({ select }) =>
      profileView(deps, profile, { withImage: select?.includes('qrCodeImage') ?? false }),
    );
  });

  app.patch<{ Params: { id: string } }>(`${PROFILES_PATH}/:id`, async (request) => {
    const profile = load(request.params.id);
    const body = readBody(ENROLLMENT_PROFILES, patchSchema, request.body);
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
    const {
      enrollmentMode: _mode,
      enrollmentTokenType: _type,
      '@odata.type': _odataType,
      tokenExpirationDateTime: _expiry,
      roleScopeTagIds,
      ...changes
    } = body;
    const updated: Profile = {
      ...profile,
      ...stripUndefined(changes),
      ...(roleScopeTagIds === undefined ? {} : { roleScopeTagIds: roleScopeTagIds ?? [] }),
      modifiedAt: clock.now(),
    };
    checkProfile(updated);
    store.updateProfile(updated);
    return entityResponse(request, ENROLLMENT_PROFILES, profileView(deps, updated, { withImage: false }));
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
