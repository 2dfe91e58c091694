import type { EmbeddedTls } from '../backend/tls/serverTls';
import type { PathStep } from './paths';
import type { PlannedPath } from './runModelSuite';
import type { SabotageFault } from './sabotage';

/**
 * A planned path as it is sent to a worker thread. A step's snapshot is xstate's (it holds the machine,
 * which cannot be cloned); running a path reads only its context, so that is all that is sent, and the
 * steps the plan's segments share with the path stay shared.
 */
export function toWire(planned: PlannedPath): PlannedPath {
  const sent = new Map<PathStep, PathStep>();
  const wire = (step: PathStep): PathStep => {
    let copy = sent.get(step);
    if (!copy) {
      copy = { ...step, state: { context: step.state.context } as PathStep['state'] };
      sent.set(step, copy);
    }
    return copy;
  };
  return {
    path: { ...planned.path, steps: planned.path.steps.map(wire) },
    plan: {
      ...planned.plan,
      segments: planned.plan.segments.map((segment) => ({
        ...segment,
        trigger: wire(segment.trigger),
        outcomes: segment.outcomes.map(wire),
      })),
    },
  };
}

/** What a path worker is sent once: its share is asked for by index into `paths`. */
export interface PathWorkerInput {
  paths: Array<{ item: PlannedPath; plannedIndex: number }>;
  seed: number;
  tls?: EmbeddedTls;
  sabotage?: SabotageFault;
}
