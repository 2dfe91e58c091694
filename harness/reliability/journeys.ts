import pLimit from 'p-limit';
import { statePath, type DeviceSnapshot } from '../../agent/model/inspect';
import type { ModelPath } from '../model-testing/paths';
import type { PathPlan, Segment } from '../model-testing/planner';

/**
 * Many devices travelling planned model paths, sharing the way where they can. A journey is a group of
 * devices and the planned path they take from where they are. Wherever two journeys are in the same
 * model state (same context, same Android version) and take the same next segment, that segment is
 * travelled once, by all their devices together: the paths to every state of the model share their
 * beginnings, and the ways on to enrolled share their ends. Each segment is handed to `travel` as a
 * one-segment path and plan, once the devices that take it have all arrived.
 */
export interface Journey<M> {
  members: readonly M[];
  osVersion: string;
  /** Where the path starts: its steps' states follow from this snapshot. */
  from: DeviceSnapshot;
  path: ModelPath;
  plan: PathPlan;
}

export interface Leg<M> {
  /** Every member of every journey that takes this segment from this state. */
  members: M[];
  path: ModelPath;
  plan: PathPlan;
}

const positionOf = (snapshot: DeviceSnapshot, osVersion: string) =>
  JSON.stringify([statePath(snapshot), snapshot.context, osVersion]);

const segmentKey = (segment: Segment) =>
  JSON.stringify([
    segment.trigger.event,
    segment.outcomes.map((step) => step.event),
    segment.before,
    segment.after,
    segment.upn ?? null,
  ]);

interface Edge<M> {
  from: string;
  to: string;
  segment: Segment;
  members: M[];
}

/**
 * Travels every journey, one leg per distinct (state, segment). Legs run once all legs into their
 * starting state are done, at most `concurrency` at a time; a leg that throws stops nothing else (the
 * caller's `travel` records what went wrong for the members it concerns).
 */
export async function travelTogether<M>(
  journeys: readonly Journey<M>[],
  options: {
    concurrency: number;
    /** Names the legs' paths (`${name}-001`…), which name what their worlds create. */ name: string;
  },
  travel: (leg: Leg<M>, index: number) => Promise<void>,
): Promise<void> {
  const { concurrency, name } = options;
  const edges = new Map<string, Edge<M>>();
  const into = new Map<string, Set<Edge<M>>>();
  for (const journey of journeys) {
    let position = positionOf(journey.from, journey.osVersion);
    for (const segment of journey.plan.segments) {
      const end = (segment.outcomes.at(-1) ?? segment.trigger).state;
      const to = positionOf(end, journey.osVersion);
      const key = `${position}\u0000${segmentKey(segment)}`;
      let edge = edges.get(key);
      if (!edge) {
        edge = { from: position, to, segment, members: [] };
        edges.set(key, edge);
        into.set(to, (into.get(to) ?? new Set()).add(edge));
      }
      edge.members.push(...journey.members);
      position = to;
    }
  }

  assertAcyclic(edges.values());

  const limit = pLimit(concurrency);

  const done = new Map<Edge<M>, Promise<void>>();
  const ready = new Map<string, Promise<void>>();
  let legs = 0;
  const arrived = (position: string): Promise<void> => {
    let promise = ready.get(position);
    if (!promise) {
      promise = Promise.all([...(into.get(position) ?? [])].map(run)).then(() => undefined);
      ready.set(position, promise);
    }
    return promise;
  };
  const run = (edge: Edge<M>): Promise<void> => {
    let promise = done.get(edge);
    if (!promise) {
      promise = arrived(edge.from).then(() =>
        limit(async () => {
          const index = legs++;
          const { segment } = edge;
          const osVersion = JSON.parse(edge.from)[2] as string;
          const path: ModelPath = {
            id: `${name}-${String(index + 1).padStart(3, '0')}`,
            steps: [segment.trigger, ...segment.outcomes],
          };
          await travel(
            { members: edge.members, path, plan: { osVersion, manufacturer: null, segments: [segment] } },
            index,
          );
        }),
      );
      done.set(edge, promise);
    }
    return promise;
  };
  await Promise.all([...edges.values()].map(run));
}

/** Shortest paths from one place (or to one place) never go round in circles; a waiting leg would. */
function assertAcyclic<M>(edges: Iterable<Edge<M>>): void {
  const out = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const edge of edges) {
    out.set(edge.from, [...(out.get(edge.from) ?? []), edge.to]);
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
    if (!indegree.has(edge.from)) indegree.set(edge.from, 0);
  }
  const queue = [...indegree.entries()].filter(([, n]) => n === 0).map(([position]) => position);
  let seen = 0;
  while (queue.length > 0) {
    const position = queue.pop()!;
    seen += 1;
    for (const next of out.get(position) ?? []) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (seen !== indegree.size)
    throw new Error('the journeys go round in a circle: no order to travel them in');
}
