import { getNextSnapshot } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { deviceModel } from './deviceModel';
import { eventVariants } from './eventVariants';
import { leafStateNodes, metaOfPath, pathOfNode, statePath, type DeviceSnapshot } from './inspect';
import { EFFECT_WORK } from './meta';

/** EFFECT_WORK against the machine: each effect's success event is one its states take, and records what it says. */
describe('EFFECT_WORK', () => {
  const reached = new Map<string, DeviceSnapshot>();
  for (const path of createTestModel(deviceModel, { events: eventVariants() }).getShortestPaths())
    for (const step of path.steps) {
      const state = step.state as DeviceSnapshot;
      if (!reached.has(statePath(state))) reached.set(statePath(state), state);
    }
  const working = leafStateNodes()
    .map(pathOfNode)
    .filter((path) => metaOfPath(path).effect !== undefined);

  test.each(Object.keys(EFFECT_WORK) as Array<keyof typeof EFFECT_WORK>)(
    '%s: succeeds with an event its states take, and the device then holds the stage it records',
    (effect) => {
      const work = EFFECT_WORK[effect];
      const success = eventVariants().find((event) => event.type === work.succeededWith)!;
      // A sign-in on a device nobody staged can only be refused: not every state lets the work succeed.
      const succeeding = working
        .filter((path) => metaOfPath(path).effect === effect)
        .map((path) => reached.get(path)!)
        .filter((snapshot) => snapshot.can(success));
      expect(succeeding.length).toBeGreaterThan(0);
      for (const snapshot of succeeding) {
        const next = getNextSnapshot(deviceModel, snapshot, success);
        expect(statePath(next)).not.toBe(statePath(snapshot));
        expect(next.context.recordedStage).toBe(work.records ?? snapshot.context.recordedStage);
      }
    },
  );
});
