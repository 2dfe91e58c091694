import { initialSnapshot, nextSnapshot } from '../../agent/model/nextSnapshot';
import { createTestModel, getAdjacencyMap } from 'xstate/graph';
import { deviceModel } from '../../agent/model/deviceModel';
import type { DeviceEvent } from '../../agent/model/events';
import { statePath, type DeviceSnapshot } from '../../agent/model/inspect';
import { findTransition, type ModelTransition } from '../../agent/model/transitions';
import { eventVariants } from '../../agent/model/eventVariants';
import { isFeasible } from './feasibility';

const allVariants = eventVariants();

export interface PathStep {
  event: DeviceEvent;
  /** The model state after the event. */
  state: DeviceSnapshot;
  /** Leaf path of that state, e.g. "stagingStage3.intuneSignIn". */
  path: string;
  transition: ModelTransition;
}

export interface ModelPath {
  id: string;
  steps: PathStep[];
}

export type PathStrategy = 'shortest' | 'simple';

/** What makes two model states different for a walk: where the device is and what its guards read. */
export function stateKey(snapshot: DeviceSnapshot): string {
  const { welcomeTaps, tokenSource, flow, mode, workProfileCreated } = snapshot.context;
  return `${statePath(snapshot)}|${welcomeTaps}|${tokenSource}|${flow}|${mode}|${workProfileCreated}`;
}

/** An event with the payload value that matters ("TOKEN_REJECTED:expired"); the account is not one. */
function variantKey(event: DeviceEvent): string {
  if (event.type === 'TOKEN_ACCEPTED') return `${event.type}:${event.tokenType}:${event.mode}`;
  if (event.type === 'CONFIGURATION_FOUND') return `${event.type}:${event.source}`;
  return 'reason' in event ? `${event.type}:${event.reason}` : event.type;
}

/** findTransition searches every transition of the model; a walk asks it for each edge, many times over. */
const transitions = new Map<string, ModelTransition | undefined>();

function transitionOf(previous: DeviceSnapshot, event: DeviceEvent, next: DeviceSnapshot): ModelTransition {
  const key = `${statePath(previous)}|${event.type}|${statePath(next)}`;
  if (!transitions.has(key))
    transitions.set(key, findTransition(statePath(previous), event.type, statePath(next)));
  const transition = transitions.get(key);
  if (!transition)
    throw new Error(
      `no model transition for ${event.type} from ${statePath(previous)} to ${statePath(next)}`,
    );
  return transition;
}

/**
 * xstate/graph gives a path as (event, state after) pairs, the first being xstate.init. Its states come
 * from the walk's vertices, which merge states that differ only outside the walk's key (the account, the
 * error shown); so the path's events are replayed on the machine from the start to get its true states.
 */
function toModelPath(
  steps: Array<{ event: DeviceEvent; state: DeviceSnapshot }>,
  from?: DeviceSnapshot,
): ModelPath {
  const result: PathStep[] = [];
  let state = from ?? initialSnapshot();
  for (const { event } of steps.slice(1)) {
    const next = nextSnapshot(state, event);
    result.push({ event, state: next, path: statePath(next), transition: transitionOf(state, event, next) });
    state = next;
  }
  return { id: '', steps: result };
}

/**
 * Shortest paths that together take every transition of the model. The walk keys each vertex by the
 * transition that entered it, so xstate/graph finds the shortest way to take every transition; then a
 * greedy pass keeps, longest first, only paths that take a transition no kept path takes.
 */
function shortestTransitionCover(): ModelPath[] {
  const model = createTestModel(deviceModel, {
    // xstate/graph offers a bare { type } for any event a state handles that the list lacks, so
    // infeasible events are filtered out rather than left out.
    events: allVariants,
    filterEvents: (state, event) => isFeasible(state, event),
    serializeState: (state, event, previous) =>
      event && previous
        ? `${stateKey(state)}<-${transitionOf(previous, event, state).id}<-${variantKey(event)}`
        : stateKey(state),
  });
  // Which paths to keep depends only on each step's transition and event, which the walk's own states
  // give (they share the leaf path with the true ones): so only the kept paths are replayed, not the
  // hundreds of candidates (replaying them all was half the cost of planning the suite).
  const candidates = model
    .getShortestPaths({ allowDuplicatePaths: true })
    .map((path) => path.steps as Array<{ event: DeviceEvent; state: DeviceSnapshot }>)
    .filter((steps) => steps.length > 1);
  return coverGreedily(candidates).map((steps) => toModelPath(steps));
}

/** Longest first, the candidates that take a transition (with its event's variant) no kept one takes. */
function coverGreedily<T extends Array<{ event: DeviceEvent; state: DeviceSnapshot }>>(candidates: T[]): T[] {
  const sorted = [...candidates].sort((a, b) => b.length - a.length);
  const covered = new Set<string>();
  const kept: T[] = [];
  for (const steps of sorted) {
    const ids = steps
      .slice(1)
      .map(
        (step, index) =>
          `${transitionOf(steps[index]!.state, step.event, step.state).id}<-${variantKey(step.event)}`,
      );
    if (ids.every((id) => covered.has(id))) continue;
    ids.forEach((id) => covered.add(id));
    kept.push(steps);
  }
  return kept;
}

/** Loops of the model (try again, cancel, reset); a simple-path walk leaves them to the shortest set. */
const LOOPING_EVENTS = new Set(['TRY_AGAIN', 'CANCEL', 'FACTORY_RESET', 'RESUME_ENROLLMENT']);
/** Power is switched off on the way forward only where the staging document says so. */
const FORWARD_POWER_OFF = new Set(['stagingStage2.readyToPowerOff', 'defaultStage1.readyToDistribute']);

function isForward(state: DeviceSnapshot, event: DeviceEvent): boolean {
  if (LOOPING_EVENTS.has(event.type)) return false;
  if (event.type === 'POWER_OFF') return FORWARD_POWER_OFF.has(statePath(state));
  if (event.type === 'POWER_LOST') return statePath(state).endsWith('enrollmentInProgress');
  return true;
}

/** How many states a bounded simple-path walk may visit before it stops looking. */
const SIMPLE_WALK_BUDGET = 200_000;

/**
 * Simple paths (no state twice) from the device in its box, bounded three ways: the model's loops are
 * left out, the depth-first walk stops after a fixed budget of visits, and at most `maxPaths` complete
 * paths are kept. The seed orders each state's successors, so another seed explores other paths.
 * getSimplePaths itself has no such bound and does not finish on this guarded machine.
 */
function boundedSimplePaths(maxPaths: number, random: () => number): ModelPath[] {
  const adjacency: Record<
    string,
    { state: DeviceSnapshot; transitions: Record<string, { event: DeviceEvent; state: DeviceSnapshot }> }
  > = getAdjacencyMap(deviceModel, {
    events: allVariants,
    filterEvents: (state: DeviceSnapshot, event: DeviceEvent) =>
      isFeasible(state, event) && isForward(state, event),
    serializeState: (state: DeviceSnapshot) => stateKey(state),
  }) as unknown as Record<
    string,
    { state: DeviceSnapshot; transitions: Record<string, { event: DeviceEvent; state: DeviceSnapshot }> }
  >;
  const initial = Object.keys(adjacency)[0]!;
  const found: ModelPath[] = [];
  const onPath = new Set<string>([initial]);
  const trail: Array<{ event: DeviceEvent; state: DeviceSnapshot }> = [
    { event: { type: 'xstate.init' } as unknown as DeviceEvent, state: adjacency[initial]!.state },
  ];
  let budget = SIMPLE_WALK_BUDGET;

  const visit = (key: string): void => {
    const successors = shuffled(Object.values(adjacency[key]!.transitions), random).filter(
      ({ state }) => !onPath.has(stateKey(state)),
    );
    if (successors.length === 0 && trail.length > 1) {
      found.push(toModelPath(trail));
      return;
    }
    for (const { event, state } of successors) {
      if (found.length >= maxPaths || budget-- <= 0) return;
      const next = stateKey(state);
      onPath.add(next);
      trail.push({ event, state });
      visit(next);
      trail.pop();
      onPath.delete(next);
    }
  };
  visit(initial);
  return found;
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export interface ShortestPathOptions {
  /** Where the walk starts; the device in its box by default. */
  from?: DeviceSnapshot;
  /** Leaves out events on top of the infeasible ones (a walk that must scan rather than type, say). */
  allow?: (state: DeviceSnapshot, event: DeviceEvent) => boolean;
  /** Keeps only paths that end in a state this accepts. */
  to?: (state: DeviceSnapshot) => boolean;
}

/**
 * The shortest path from `from` to every distinct state the walk reaches (distinct as the walk keys
 * them: where the device is and what its guards read), each replayed on the machine from `from`. A
 * state reached by several keys has several paths; callers keep the one they need.
 */
export function shortestPathsToStates(options: ShortestPathOptions = {}): ModelPath[] {
  const model = createTestModel(deviceModel, {
    events: allVariants,
    filterEvents: (state, event) => isFeasible(state, event) && (options.allow?.(state, event) ?? true),
    serializeState: (state) => stateKey(state),
  });
  return model
    .getShortestPaths({
      allowDuplicatePaths: true,
      ...(options.from ? { fromState: options.from } : {}),
      ...(options.to ? { toState: options.to } : {}),
    })
    .map((path) => toModelPath(path.steps, options.from));
}

/** How many bounded simple paths a walk keeps when not told (`stagesim model --paths simple`). */
export const DEFAULT_SIMPLE_PATHS = 200;

export interface GenerateOptions {
  strategy: PathStrategy;
  maxPaths?: number;
  random: () => number;
}

export function generatePaths(options: GenerateOptions): ModelPath[] {
  const paths =
    options.strategy === 'shortest'
      ? shortestTransitionCover()
      : boundedSimplePaths(options.maxPaths ?? DEFAULT_SIMPLE_PATHS, options.random);
  const limited = options.maxPaths !== undefined ? paths.slice(0, options.maxPaths) : paths;
  return limited.map((path, index) => ({ ...path, id: `path-${String(index + 1).padStart(3, '0')}` }));
}
