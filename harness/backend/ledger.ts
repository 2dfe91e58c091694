import { z } from 'zod';
import type { EnrollmentStage } from '../../agent/protocol/enrollment';

/**
 * The order of enrollment stages, as one pure function the device channel asks before it records
 * anything. Every recorded transition goes to the ledger (store) with who completed it and which token
 * (its id, never its value) the device enrolled with.
 *
 *   staging token:  (new | factoryReset) -> tokenCreated -> staged           -> enrolled
 *   default token:  (new | factoryReset) -> tokenCreated -> adminProvisioned -> enrolled
 *   factoryReset:   from any recorded stage
 *
 * tokenCreated is the stage the admin completed (the token the device redeemed). Actors: tokenCreated
 * and adminProvisioned are the admin's, staged is the vendor's (admin or third party; recorded as
 * vendor), enrolled is the user's; a factory reset is credited to whoever held the device in the stage
 * it left (user when enrolled, vendor when staged, otherwise admin).
 */

export const ledgerActorSchema = z.enum(['admin', 'vendor', 'user']);
export type LedgerActor = z.infer<typeof ledgerActorSchema>;

/** Which token flow the device redeemed a token of. */
export type Flow = 'deviceStaging' | 'default';

export interface DeviceStageFacts {
  stage: EnrollmentStage | null;
  flow: Flow | null;
  /** A user signed in (signIn accepted) since stage 2. */
  signedIn: boolean;
}

export type TransitionPlan =
  | { outcome: 'record'; from: EnrollmentStage | null; to: EnrollmentStage; actor: LedgerActor }
  /** The device is already there: answer as before, record nothing. */
  | { outcome: 'repeat' }
  | { outcome: 'outOfOrder'; message: string };

const USERLESS_STAGE: Record<Flow, 'staged' | 'adminProvisioned'> = {
  deviceStaging: 'staged',
  default: 'adminProvisioned',
};

export function planTransition(device: DeviceStageFacts, to: EnrollmentStage): TransitionPlan {
  const from = device.stage;
  const record = (actor: LedgerActor): TransitionPlan => ({ outcome: 'record', from, to, actor });
  const refuse = (why: string): TransitionPlan => ({
    outcome: 'outOfOrder',
    message: `cannot record ${to}: ${why}`,
  });

  switch (to) {
    case 'tokenCreated':
      // Redeeming again before stage 2 (a second scan, another code) is allowed; after it, not.
      if (from === null || from === 'factoryReset' || from === 'tokenCreated') return record('admin');
      return refuse(`the device is already ${from}; it must be factory reset before it takes a token again`);
    case 'staged':
    case 'adminProvisioned': {
      if (from === to) return { outcome: 'repeat' };
      if (from !== 'tokenCreated' || device.flow === null)
        return refuse(`the device has not redeemed a token (it is ${from ?? 'new'})`);
      const expected = USERLESS_STAGE[device.flow];
      if (expected !== to)
        return refuse(`the device redeemed a ${device.flow} token, whose next stage is ${expected}`);
      return record(to === 'staged' ? 'vendor' : 'admin');
    }
    case 'enrolled':
      if (from === 'enrolled') return { outcome: 'repeat' };
      if (from !== 'staged' && from !== 'adminProvisioned')
        return refuse(`the device is ${from ?? 'new'}, not staged or admin-provisioned`);
      if (!device.signedIn) return refuse('no user has signed in on the device yet');
      return record('user');
    case 'factoryReset':
      if (from === 'factoryReset' || from === null) return { outcome: 'repeat' };
      return record(from === 'enrolled' ? 'user' : from === 'staged' ? 'vendor' : 'admin');
  }
}
