import { createTestModel } from 'xstate/graph';
import { deviceModel } from './deviceModel';
import { eventVariants } from './eventVariants';
import { accepts, statePath, type DeviceSnapshot } from './inspect';

// accepts() answers snapshot.can() from the model's structure where no guard decides; it must never
// answer differently. Checked on every state the model's walks reach, in the contexts they reach it with.
describe('accepts', () => {
  const reached = new Map<string, DeviceSnapshot>();
  // Shortest paths to every distinct value and context: welcome taps 0 to 5, every token type and mode, ...
  for (const path of createTestModel(deviceModel, { events: eventVariants() }).getShortestPaths()) {
    for (const state of [path.state, ...path.steps.map((step) => step.state)])
      reached.set(JSON.stringify([state.value, state.context]), state as DeviceSnapshot);
  }

  test('agrees with snapshot.can() for every event in every reached state and context', () => {
    expect(reached.size).toBeGreaterThan(40);
    const disagreements: string[] = [];
    for (const snapshot of reached.values()) {
      const path = statePath(snapshot);
      for (const event of eventVariants()) {
        // Asked twice: the second answer may come from the cache.
        for (let round = 0; round < 2; round += 1) {
          if (accepts(snapshot, path, event) !== snapshot.can(event))
            disagreements.push(`${path} ${JSON.stringify(event)} ${JSON.stringify(snapshot.context)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('guarded choices are left to xstate: the sixth welcome tap and the token type', () => {
    const welcome = [...reached.values()].filter((snapshot) => statePath(snapshot) === 'setupWizard.welcome');
    expect(new Set(welcome.map((snapshot) => snapshot.context.welcomeTaps)).size).toBeGreaterThan(1);
    for (const snapshot of welcome)
      expect(accepts(snapshot, 'setupWizard.welcome', { type: 'TAP_WELCOME' })).toBe(true);
  });
});
