import { createTestModel } from 'xstate/graph';
import { deviceModel } from './deviceModel';
import { eventKind, type DeviceEventType } from './events';
import { eventVariants } from './eventVariants';
import { leafStateNodes, metaOfPath, pathOfNode, statePath, type DeviceSnapshot } from './inspect';
import { screens } from './screens';

/**
 * Actions a person takes off the screen: the power button, the recovery menu's factory reset (a screen
 * may offer it too) and the camera pointed at a code.
 */
const OFF_SCREEN = new Set<DeviceEventType>([
  'POWER_ON',
  'POWER_OFF',
  'FACTORY_RESET',
  'QR_SCANNED',
  'QR_INVALID',
]);

/** One snapshot of every leaf state, as a walk of the machine from the box reaches it. */
function reachedSnapshots(): Map<string, DeviceSnapshot> {
  const reached = new Map<string, DeviceSnapshot>();
  const paths = createTestModel(deviceModel, { events: eventVariants() }).getShortestPaths();
  for (const path of paths)
    for (const step of path.steps) {
      const state = step.state as DeviceSnapshot;
      if (!reached.has(statePath(state))) reached.set(statePath(state), state);
    }
  return reached;
}

describe('screen catalogue against the model', () => {
  const reached = reachedSnapshots();
  const actions = eventVariants().filter((event) => eventKind(event.type) === 'action');

  test.each(leafStateNodes().map(pathOfNode))(
    '%s: its buttons are exactly the actions it accepts',
    (path) => {
      const snapshot = reached.get(path);
      expect(snapshot).toBeDefined();
      const accepted = new Set(actions.filter((event) => snapshot!.can(event)).map((event) => event.type));
      const buttons = new Set(
        screens[metaOfPath(path).screen.id]!.elements.flatMap((element) =>
          element.action ? [element.action] : [],
        ),
      );
      // Every button sends an event the state takes; every action the state takes on screen has a button.
      expect([...buttons].filter((type) => !accepted.has(type))).toEqual([]);
      expect([...accepted].filter((type) => !OFF_SCREEN.has(type) && !buttons.has(type))).toEqual([]);
    },
  );
});
