import { initialSnapshot, nextSnapshot } from '../../agent/model/nextSnapshot';
import { eventKind, type DeviceEvent, type DeviceEventType } from '../../agent/model/events';
import { eventVariants } from '../../agent/model/eventVariants';
import { statePath, type DeviceSnapshot } from '../../agent/model/inspect';
import { modelTransitions } from '../../agent/model/transitions';
import { isFeasible } from './feasibility';
import { stateKey } from './paths';

/**
 * What a person does next to get a device from where it is to a goal, as the model says, worked out
 * once from the machine: a breadth-first walk of every state the device can reach from its box (keyed
 * as the model walks key them: where it is and what the guards read), then distances back from the goal.
 * A state's ways are the person's actions that start a shortest way on; outcome events count as steps
 * (the device waits for them) but are never a person's to choose. Looking a state up is a Map lookup, so
 * a fleet asks it on every step of every device.
 */
export interface OnwardTable {
  /**
   * The actions that start a shortest way from `snapshot` (whose leaf path is `path`) to the goal, in the
   * model's event order; empty at the goal or where no action leads on (a progress screen, a dead end).
   */
  ways(snapshot: DeviceSnapshot, path?: string): readonly DeviceEventType[];
  /** The same by leaf path alone, for a device whose model context is unknown (a real screen); undefined where the context decides. */
  waysAt(path: string): readonly DeviceEventType[] | undefined;
  /** Every state on a shortest way from `from` to the goal, `from` and the goal included. */
  statesOnTheWay(from: DeviceSnapshot): ReadonlySet<string>;
}

export interface OnwardOptions {
  /** Actions the person never takes on the way (the vendor scans rather than types the token, say). */
  refuse?: ReadonlySet<DeviceEventType>;
}

interface Vertex {
  snapshot: DeviceSnapshot;
  path: string;
  edges: Array<{ event: DeviceEvent; to: string }>;
}

const NONE: readonly DeviceEventType[] = [];

/** The event types some state node on the way from the root to `path` handles (the rest do nothing there). */
function handledAt(path: string): ReadonlySet<DeviceEventType> {
  const handled = new Set<DeviceEventType>();
  for (const transition of modelTransitions())
    if (transition.source === '' || path === transition.source || path.startsWith(`${transition.source}.`))
      handled.add(transition.event);
  return handled;
}

/** Every state the device can reach from its box, with every event that moves it (power cuts too). */
function reachableGraph(): Map<string, Vertex> {
  const variants = eventVariants();
  const handledByPath = new Map<string, ReadonlySet<DeviceEventType>>();
  const start = initialSnapshot();
  const vertices = new Map<string, Vertex>();
  const queue: DeviceSnapshot[] = [start];
  vertices.set(stateKey(start), { snapshot: start, path: statePath(start), edges: [] });
  while (queue.length > 0) {
    const snapshot = queue.shift()!;
    const vertex = vertices.get(stateKey(snapshot))!;
    let handled = handledByPath.get(vertex.path);
    if (!handled) handledByPath.set(vertex.path, (handled = handledAt(vertex.path)));
    for (const event of variants) {
      if (!handled.has(event.type) || !isFeasible(snapshot, event)) continue;
      const next = nextSnapshot(snapshot, event);
      if (next === snapshot) continue;
      const key = stateKey(next);
      vertex.edges.push({ event, to: key });
      if (!vertices.has(key)) {
        vertices.set(key, { snapshot: next, path: statePath(next), edges: [] });
        queue.push(next);
      }
    }
  }
  return vertices;
}

let graph: Map<string, Vertex> | undefined;

/** Builds the table for the states `goal` accepts (leaf paths such as "enrolled.readyForWork"). */
export function onwardTable(goal: (path: string) => boolean, options: OnwardOptions = {}): OnwardTable {
  graph ??= reachableGraph();
  const vertices = graph;
  const refuse = options.refuse ?? new Set();
  // A person's way on is made of their actions and the outcomes they wait for, never a power cut.
  const onTheWay = (event: DeviceEvent) => {
    const kind = eventKind(event.type);
    return kind === 'outcome' || (kind === 'action' && !refuse.has(event.type));
  };
  // Distances to the goal, walking those edges backwards from every goal vertex.
  const incoming = new Map<string, string[]>();
  for (const [key, vertex] of vertices)
    for (const edge of vertex.edges) {
      if (!onTheWay(edge.event)) continue;
      const from = incoming.get(edge.to) ?? [];
      from.push(key);
      incoming.set(edge.to, from);
    }
  const distance = new Map<string, number>();
  const queue: string[] = [];
  for (const [key, vertex] of vertices)
    if (goal(vertex.path)) {
      distance.set(key, 0);
      queue.push(key);
    }
  while (queue.length > 0) {
    const key = queue.shift()!;
    for (const from of incoming.get(key) ?? [])
      if (!distance.has(from)) {
        distance.set(from, distance.get(key)! + 1);
        queue.push(from);
      }
  }
  const byKey = new Map<string, readonly DeviceEventType[]>();
  for (const [key, vertex] of vertices) {
    const own = distance.get(key);
    if (own === undefined || own === 0) continue;
    const ways = [
      ...new Set(
        vertex.edges
          .filter(
            (edge) =>
              eventKind(edge.event.type) === 'action' &&
              onTheWay(edge.event) &&
              distance.get(edge.to) === own - 1,
          )
          .map((edge) => edge.event.type),
      ),
    ];
    if (ways.length > 0) byKey.set(key, ways);
  }
  // Most states have the same ways whatever their context: those are looked up by their path alone.
  const byPath = new Map<string, readonly DeviceEventType[]>();
  const mixed = new Set<string>();
  for (const [key, vertex] of vertices) {
    const ways = byKey.get(key) ?? NONE;
    const known = byPath.get(vertex.path);
    if (known === undefined) byPath.set(vertex.path, ways);
    else if (known.join() !== ways.join()) mixed.add(vertex.path);
  }
  for (const path of mixed) byPath.delete(path);
  const bySnapshot = new WeakMap<DeviceSnapshot, readonly DeviceEventType[]>();
  return {
    ways(snapshot, path = statePath(snapshot)) {
      const known = byPath.get(path);
      if (known) return known;
      // Where the context decides, remember the answer per snapshot: devices that saw the same events
      // share their snapshots (agent/device/memoizedModel.ts), so a fleet works each key out once.
      let ways = bySnapshot.get(snapshot);
      if (!ways) {
        ways = byKey.get(stateKey(snapshot)) ?? NONE;
        bySnapshot.set(snapshot, ways);
      }
      return ways;
    },
    waysAt(path) {
      return byPath.get(path);
    },
    statesOnTheWay(from) {
      const seen = new Set<string>();
      const queue = [stateKey(from)];
      while (queue.length > 0) {
        const key = queue.shift()!;
        const vertex = vertices.get(key);
        if (!vertex || seen.has(vertex.path)) continue;
        seen.add(vertex.path);
        const own = distance.get(key);
        for (const edge of vertex.edges)
          if (own !== undefined && onTheWay(edge.event) && distance.get(edge.to) === own - 1)
            queue.push(edge.to);
      }
      return seen;
    },
  };
}
