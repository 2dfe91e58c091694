import type { AnyStateNode, SnapshotFrom } from 'xstate';
import { deviceModel } from './deviceModel';
import { stateMetaSchema, type StateMeta } from './meta';

export type DeviceSnapshot = SnapshotFrom<typeof deviceModel>;

/** Dotted path of the deepest active state, e.g. "stagingStage3.intuneSignIn". */
export function statePath(snapshot: Pick<DeviceSnapshot, 'value'>): string {
  const parts: string[] = [];
  let value: unknown = snapshot.value;
  while (value !== null && typeof value === 'object') {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0]!;
    parts.push(key);
    value = child;
  }
  parts.push(String(value));
  return parts.join('.');
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
