import type { AnyStateNode, SnapshotFrom } from 'xstate';
import { deviceModel } from './deviceModel';
import { stateMetaSchema, type StateMeta } from './meta';

export type DeviceSnapshot = SnapshotFrom<typeof deviceModel>;

/**
 * Paths by state value. Snapshots are immutable and devices that walked the same screens share them
 * (agent/device/memoizedModel.ts), so a device asks for the path of a value many devices hold already.
 */
const pathsByValue = new WeakMap<object, string>();

/** Dotted path of the deepest active state, e.g. "stagingStage3.intuneSignIn". */
export function statePath(snapshot: Pick<DeviceSnapshot, 'value'>): string {
  const top: unknown = snapshot.value;
  if (top === null || typeof top !== 'object') return String(top);
  const known = pathsByValue.get(top);
  if (known !== undefined) return known;
  const parts: string[] = [];
  let value: unknown = top;
  while (value !== null && typeof value === 'object') {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0]!;
    parts.push(key);
    value = child;
  }
  parts.push(String(value));
  const path = parts.join('.');
  pathsByValue.set(top, path);
  return path;
}

/** Every leaf state node of the model (the states a device can rest in), in document order. */
export function leafStateNodes(): AnyStateNode[] {
  const leaves: AnyStateNode[] = [];
  const walk = (node: AnyStateNode) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length === 0) leaves.push(node);
    else children.forEach(walk);
  };
  walk(deviceModel.root);
  return leaves;
}

/** "device.stagingStage3.intuneSignIn" -> "stagingStage3.intuneSignIn" */
export function pathOfNode(node: AnyStateNode): string {
  return node.path.join('.');
}

const metaCache = new Map<string, StateMeta>();

/** The meta of a leaf state, validated (and defaults filled) by the meta schema. */
export function metaOfPath(path: string): StateMeta {
  let meta = metaCache.get(path);
  if (!meta) {
    const node = deviceModel.getStateNodeById(`device.${path}`);
    meta = stateMetaSchema.parse(node.meta);
    metaCache.set(path, meta);
  }
  return meta;
}

export function metaOf(snapshot: Pick<DeviceSnapshot, 'value'>): StateMeta {
  return metaOfPath(statePath(snapshot));
}

/**
 * Whether the model in `path` takes an event of `type` without looking at guards: true or false when
 * the answer is the same in every context, null when a guard decides (then only snapshot.can() knows).
 * Mirrors xstate's selection: the deepest state with candidates for the event decides, its first
 * candidate whose guard passes is taken, and a taken transition with neither target nor actions is a
 * forbidden one.
 */
function staticAcceptance(path: string, type: string): boolean | null {
  for (
    let node: AnyStateNode | undefined = deviceModel.getStateNodeById(`device.${path}`);
    node;
    node = node.parent
  ) {
    // Wildcard descriptors ("*", "a.*") match by pattern; leave those to xstate.
    for (const descriptor of node.transitions.keys()) if (descriptor.includes('*')) return null;
    const candidates = node.transitions.get(type);
    if (!candidates || candidates.length === 0) continue;
    const first = candidates[0]!;
    if (first.guard) return null;
    return first.target !== undefined || first.actions.length > 0;
  }
  return false;
}

const acceptance = new Map<string, boolean | null>();

/**
 * snapshot.can(event), answered from the model's structure where no guard is involved. can() works out
 * the whole transition, and the runtime asks it before every action it is then about to take anyway.
 */
export function accepts(snapshot: DeviceSnapshot, path: string, event: { type: string }): boolean {
  const key = `${path}\u0000${event.type}`;
  let known = acceptance.get(key);
  if (known === undefined) {
    known = staticAcceptance(path, event.type);
    acceptance.set(key, known);
  }
  return known ?? snapshot.can(event as Parameters<DeviceSnapshot['can']>[0]);
}
