import { createEmptyActor } from 'xstate';
import { deviceModel } from './deviceModel';
import type { DeviceEvent } from './events';
import type { DeviceSnapshot } from './inspect';

type Scope = Parameters<typeof deviceModel.transition>[2];

/**
 * One inert scope for every walk of the model, made once, the way xstate/graph makes its own
 * (createMockActorScope in xstate-graph): xstate's getNextSnapshot builds a whole actor for each call,
 * its initial snapshot and a system included, the largest part of walking the model's 1,114 transitions
 * for the onward table (harness/bench/README.md, step 33). Nothing is ever run through the scope: the
 * model's only actions are assigns, which the transition applies itself, and it spawns no children.
 */
const empty = createEmptyActor();
const INERT_SCOPE = {
  self: empty,
  logger: () => undefined,
  id: '',
  sessionId: '',
  defer: () => undefined,
  system: empty.system,
  stopChild: () => undefined,
  emit: () => undefined,
  actionExecutor: () => undefined,
} as unknown as Scope;

/** The device in its box: the model's initial snapshot (what a new actor of it starts with), without one. */
export function initialSnapshot(): DeviceSnapshot {
  return deviceModel.getInitialSnapshot(INERT_SCOPE, undefined);
}

/** The model's snapshot after `event` (what xstate's getNextSnapshot answers), without an actor. */
export function nextSnapshot(snapshot: DeviceSnapshot, event: DeviceEvent): DeviceSnapshot {
  return deviceModel.transition(snapshot, event, INERT_SCOPE);
}
