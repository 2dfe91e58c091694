import type { AnyEventObject } from 'xstate';
import { deviceModel } from '../model/deviceModel';

/**
 * The device model with its transitions remembered.
 *
 * The model is pure (its only actions are assigns), so a transition's result depends on nothing but the
 * snapshot it starts from and the event, and xstate's snapshots are immutable. Devices that walk the
 * same screens therefore compute the same transitions: every device starts from one shared initial
 * snapshot, and as long as two devices saw the same events they hold the same snapshot object and can
 * share the next one. A fleet of thousands computes each step of the common path once; the profiler had
 * xstate's transition algorithm as the largest part of a device's own work.
 *
 * Only side-effect free results are kept: a computation that called any of the actor's effect hooks
 * (actions to execute, deferred work, emitted events, stopped children) is never remembered, nor one
 * that spawned a child or ended the machine, so a future model with effects loses the shortcut, never
 * the effects. Inspection events of remembered transitions are not sent again.
 */
const KEPT_PER_SNAPSHOT = 32;

type Machine = typeof deviceModel;
type Snapshot = ReturnType<Machine['transition']>;
type Scope = Parameters<Machine['transition']>[2];

const EFFECT_HOOKS = ['actionExecutor', 'defer', 'emit', 'stopChild'] as const;

/** Runs `compute` with the scope's effect hooks watched; answers its result and whether any was called. */
function watched<T>(scope: Scope, compute: () => T): { result: T; pure: boolean } {
  const hooks = scope as unknown as Record<
    (typeof EFFECT_HOOKS)[number],
    ((...args: unknown[]) => unknown) | undefined
  >;
  const originals = EFFECT_HOOKS.map((name) => hooks[name]);
  let pure = true;
  EFFECT_HOOKS.forEach((name, index) => {
    const original = originals[index];
    if (original) {
      hooks[name] = (...args: unknown[]) => {
        pure = false;
        return original(...args);
      };
    }
  });
  try {
    return { result: compute(), pure };
  } finally {
    EFFECT_HOOKS.forEach((name, index) => {
      hooks[name] = originals[index];
    });
  }
}

function keepable(snapshot: Snapshot): boolean {
  return snapshot.status === 'active' && Object.keys(snapshot.children).length === 0;
}

/** Events with only a type are keyed by it; others by all they carry. */
function eventKey(event: AnyEventObject): string {
  for (const key in event) if (key !== 'type') return JSON.stringify(event);
  return event.type;
}

export function memoizedModel(machine: Machine = deviceModel): Machine {
  const next = new WeakMap<object, Map<string, Snapshot>>();
  let initial: Snapshot | null = null;
  const logic = Object.create(machine) as Machine;

  logic.getInitialSnapshot = function (this: Machine, scope: Scope, input?: unknown) {
    if (input === undefined && initial) return initial;
    const { result, pure } = watched(scope, () =>
      machine.getInitialSnapshot.call(this, scope, input as never),
    );
    if (input === undefined && pure && keepable(result)) initial = result;
    return result;
  } as Machine['getInitialSnapshot'];

  logic.transition = function (this: Machine, snapshot: Snapshot, event: AnyEventObject, scope: Scope) {
    const key = eventKey(event);
    let known = next.get(snapshot);
    const remembered = known?.get(key);
    if (remembered) return remembered;
    const { result, pure } = watched(scope, () =>
      machine.transition.call(this, snapshot, event as never, scope),
    );
    if (pure && keepable(result)) {
      if (!known) next.set(snapshot, (known = new Map()));
      // Events that carry a person's input (an account) make every device's next snapshot its own:
      // a few are kept, not one per device.
      if (known.size < KEPT_PER_SNAPSHOT) known.set(key, result);
    }
    return result;
  } as Machine['transition'];

  return logic;
}

/** The one memoized model devices share (sharing is the point). */
export const sharedDeviceModel = memoizedModel();
