import { createActor, getNextSnapshot } from 'xstate';
import { deviceModel } from './deviceModel';
import { eventVariants } from './eventVariants';
import type { DeviceSnapshot } from './inspect';
import { initialSnapshot, nextSnapshot } from './nextSnapshot';

/** What a walk of the model reads of a snapshot. */
const seen = (snapshot: DeviceSnapshot) => ({
  value: snapshot.value,
  context: snapshot.context,
  status: snapshot.status,
  children: Object.keys(snapshot.children),
});

describe('initialSnapshot', () => {
  test('is the snapshot a new actor of the model starts with', () => {
    expect(seen(initialSnapshot())).toEqual(seen(createActor(deviceModel).getSnapshot()));
    expect(initialSnapshot().status).toBe('active');
  });
});

describe('nextSnapshot', () => {
  // xstate's own getNextSnapshot is the reference, on every event variant from every state it reaches
  // from the box (power cuts and outcomes in any state included, whether or not a device could meet them).
  test('answers what xstate getNextSnapshot answers, for every event in every reachable state', () => {
    const variants = eventVariants();
    const start = createActor(deviceModel).getSnapshot();
    const key = (snapshot: DeviceSnapshot) => JSON.stringify([snapshot.value, snapshot.context]);
    const visited = new Set([key(start)]);
    const queue = [start];
    let compared = 0;
    let moved = 0;
    const differences: unknown[] = [];
    while (queue.length > 0) {
      const snapshot = queue.shift()!;
      for (const event of variants) {
        const expected = getNextSnapshot(deviceModel, snapshot, event);
        const actual = nextSnapshot(snapshot, event);
        if (JSON.stringify(seen(actual)) !== JSON.stringify(seen(expected)))
          differences.push({ from: snapshot.value, event, expected: seen(expected), actual: seen(actual) });
        compared += 1;
        if (expected !== snapshot) moved += 1;
        if (!visited.has(key(expected))) {
          visited.add(key(expected));
          queue.push(expected);
        }
      }
    }
    expect(differences).toEqual([]);
    // The walk is the whole model, not a corner of it: every state node, over a thousand moves.
    expect(new Set([...visited].map((entry) => JSON.stringify(JSON.parse(entry)[0]))).size).toBeGreaterThan(
      40,
    );
    expect(moved).toBeGreaterThan(1000);
    expect(compared).toBeGreaterThan(moved);
  });

  test('an event the state does not take leaves the very same snapshot, as getNextSnapshot does', () => {
    const start = createActor(deviceModel).getSnapshot();
    const ignored = { type: 'SIGN_IN_ACCEPTED' } as Parameters<typeof nextSnapshot>[1];
    expect(getNextSnapshot(deviceModel, start, ignored)).toBe(start);
    expect(nextSnapshot(start, ignored)).toBe(start);
  });
});
