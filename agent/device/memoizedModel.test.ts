import { createActor, setup } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { deviceModel } from '../model/deviceModel';
import { eventVariants } from '../model/eventVariants';
import type { DeviceEvent } from '../model/events';
import { memoizedModel } from './memoizedModel';

type Step = { value: unknown; context: unknown; status: string };

function walk(logic: typeof deviceModel, events: DeviceEvent[]): Step[] {
  const actor = createActor(logic).start();
  const steps: Step[] = [];
  for (const event of events) {
    actor.send(event);
    const { value, context, status } = actor.getSnapshot();
    steps.push({ value, context, status });
  }
  actor.stop();
  return steps;
}

describe('memoizedModel', () => {
  const paths = createTestModel(deviceModel, { events: eventVariants() })
    .getShortestPaths()
    .map((path) => path.steps.map((step) => step.event as DeviceEvent));

  test('takes every path of the model exactly as the model does, with the cache cold and warm', () => {
    expect(paths.length).toBeGreaterThan(40);
    const memo = memoizedModel();
    for (let round = 0; round < 2; round += 1) {
      for (const events of paths) expect(walk(memo, events)).toEqual(walk(deviceModel, events));
    }
  });

  test('devices that saw the same events share snapshots; different accounts do not leak into each other', () => {
    const memo = memoizedModel();
    const toSignIn: DeviceEvent[] = [
      { type: 'POWER_ON' },
      { type: 'START' },
      { type: 'SELECT_LANGUAGE' },
      { type: 'CONNECT_WIFI' },
      { type: 'NO_CONFIGURATION' },
    ];
    const first = createActor(memo).start();
    const second = createActor(memo).start();
    expect(first.getSnapshot()).toBe(second.getSnapshot());
    for (const event of toSignIn) {
      first.send(event);
      second.send(event);
    }
    expect(first.getSnapshot()).toBe(second.getSnapshot());
    first.send({ type: 'SIGN_IN', upn: 'john@contoso.com' });
    second.send({ type: 'SIGN_IN', upn: 'jane@contoso.com' });
    expect(first.getSnapshot().context.upn).toBe('john@contoso.com');
    expect(second.getSnapshot().context.upn).toBe('jane@contoso.com');
    // A stopped actor does not change the snapshot the others still share.
    const third = createActor(memo).start();
    third.send({ type: 'POWER_ON' });
    const shared = third.getSnapshot();
    third.stop();
    expect(shared.status).toBe('active');
  });

  test('a machine whose transitions have effects keeps every effect: nothing of it is remembered', () => {
    let effects = 0;
    const machine = setup({ actions: { count: () => (effects += 1) } }).createMachine({
      initial: 'off',
      states: {
        off: { on: { FLIP: { target: 'on', actions: 'count' } } },
        on: { on: { FLIP: { target: 'off', actions: 'count' } } },
      },
    });
    const memo = memoizedModel(machine as unknown as typeof deviceModel);
    for (let run = 0; run < 3; run += 1) {
      const actor = createActor(memo as unknown as typeof machine).start();
      actor.send({ type: 'FLIP' });
      actor.send({ type: 'FLIP' });
      actor.stop();
    }
    expect(effects).toBe(6);
  });
});
