import type { AnyStateNode } from 'xstate';
import { deviceModel } from './deviceModel';
import type { DeviceEventType } from './events';

/**
 * Every transition the model defines, as data: what coverage counts, what diagrams draw. A transition is
 * one branch of one event on one state node, so a guarded event with two branches is two transitions.
 */
export interface ModelTransition {
  /** Stable id: "setupWizard.checkingToken TOKEN_REJECTED #1". */
  id: string;
  /** Dotted path of the state that handles the event ("" for the machine itself). */
  source: string;
  event: DeviceEventType;
  guard: string | null;
  /** Dotted path of the target, or null for a transition that stays (actions only). */
  target: string | null;
  /** Position among the branches of this event on this state. */
  branch: number;
}

function dotted(node: AnyStateNode): string {
  return node.path.join('.');
}

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard)
    return String((guard as { type: unknown }).type);
  return 'guard';
}

let cache: ModelTransition[] | null = null;

export function modelTransitions(): ModelTransition[] {
  if (cache) return cache;
  const result: ModelTransition[] = [];
  const walk = (node: AnyStateNode) => {
    for (const [event, branches] of node.transitions) {
      branches.forEach((definition, branch) => {
        const source = dotted(node);
        const target = definition.target?.[0] ? dotted(definition.target[0]) : null;
        result.push({
          id: `${source || '(any)'} ${event} #${branch}`,
          source,
          event: event as DeviceEventType,
          guard: guardName(definition.guard),
          target,
          branch,
        });
      });
    }
    (Object.values(node.states) as AnyStateNode[]).forEach(walk);
  };
  walk(deviceModel.root);
  cache = result;
  return result;
}

/**
 * Which transition took the model from `sourcePath` on `event`. XState resolves events from the deepest
 * state outwards and takes the first branch whose guard passes; the caller tells which branch was taken
 * by the target it observed.
 */
export function findTransition(
  sourceLeafPath: string,
  event: DeviceEventType,
  targetLeafPath: string,
): ModelTransition | undefined {
  const candidates = modelTransitions().filter(
    (t) =>
      t.event === event &&
      (t.source === '' || sourceLeafPath === t.source || sourceLeafPath.startsWith(`${t.source}.`)),
  );
  // Deepest handler first, as XState does.
  candidates.sort((a, b) => b.source.length - a.source.length);
  const handler = candidates[0]?.source;
  const branches = candidates.filter((t) => t.source === handler);
  return (
    branches.find(
      (t) => t.target !== null && (targetLeafPath === t.target || targetLeafPath.startsWith(`${t.target}.`)),
    ) ?? branches.find((t) => t.target === null)
  );
}
