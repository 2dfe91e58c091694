import { deviceModel } from '../../../agent/model/deviceModel';
import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import { modelTransitions } from '../../../agent/model/transitions';
import type { AnyStateNode } from 'xstate';

/**
 * The model state of a device that only shows its screens (a real Android device: no model behind it
 * to ask). Several states share a screen ("powered-off", "enrollment-in-progress"); of those showing the
 * screen seen now, the tracker takes the one the model reaches in the fewest transitions from the state
 * it took last. The device model is the specification, so it is also the map the harness reads a real
 * device with.
 */
let graph: Map<string, Set<string>> | null = null;

function leafOf(path: string): string {
  let node: AnyStateNode = deviceModel.getStateNodeById(path === '' ? 'device' : `device.${path}`);
  while (Object.keys(node.states).length > 0) {
    const initial = node.initial?.target?.[0] as AnyStateNode | undefined;
    node = initial ?? (Object.values(node.states)[0] as AnyStateNode);
  }
  return pathOfNode(node);
}

/** Leaf state -> leaf states one transition away. */
function modelGraph(): Map<string, Set<string>> {
  if (graph) return graph;
  const leaves = leafStateNodes().map(pathOfNode);
  graph = new Map(leaves.map((leaf) => [leaf, new Set<string>()]));
  for (const transition of modelTransitions()) {
    if (transition.target === null) continue;
    const to = leafOf(transition.target);
    for (const leaf of leaves) {
      if (transition.source === '' || leaf === transition.source || leaf.startsWith(`${transition.source}.`))
        graph.get(leaf)!.add(to);
    }
  }
  return graph;
}

function distancesFrom(start: string): Map<string, number> {
  const edges = modelGraph();
  const distance = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of edges.get(current) ?? []) {
      if (distance.has(next)) continue;
      distance.set(next, distance.get(current)! + 1);
      queue.push(next);
    }
  }
  return distance;
}

export class ScreenTracker {
  private current = leafOf('');

  get state(): string {
    return this.current;
  }

  /** The state the device is in now that it shows `screenId`. */
  observe(screenId: string): string {
    if (metaOfPath(this.current).screen.id === screenId) return this.current;
    const candidates = leafStateNodes()
      .map(pathOfNode)
      .filter((path) => metaOfPath(path).screen.id === screenId);
    if (candidates.length === 0) return this.current;
    const distance = distancesFrom(this.current);
    const reach = (path: string) => distance.get(path) ?? Number.POSITIVE_INFINITY;
    this.current = candidates.reduce((best, path) => (reach(path) < reach(best) ? path : best));
    return this.current;
  }
}
