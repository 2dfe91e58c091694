import { leafStateNodes, metaOfPath, pathOfNode } from '../../../agent/model/inspect';
import { renderStateGraphSvg } from '../../reporters/stateGraph';

/**
 * The device model's state graph for the console: the very drawing the HTML report makes (dagre layout,
 * same SVG), without coverage, plus what each leaf state is, so the console can put the live device
 * counts on it. Laid out once: the model does not change while the backend runs.
 */
let cached: ReturnType<typeof build> | null = null;

function build() {
  const states = leafStateNodes().map((node) => {
    const path = pathOfNode(node);
    const meta = metaOfPath(path);
    return {
      path,
      title: meta.poweredOff ? '(powered off)' : meta.screen.title,
      screenId: meta.screen.id,
      stage: meta.stage,
      error: meta.error,
    };
  });
  // No run, so no coverage: every state and transition is drawn as "unknown".
  const svg = renderStateGraphSvg({
    states: { covered: 0, total: states.length },
    transitions: { covered: 0, total: 0 },
    coveredStates: [],
    uncoveredStates: [],
    coveredTransitions: [],
    uncoveredTransitions: [],
  }).toString();
  return { svg, states };
}

export function modelGraph() {
  cached ??= build();
  return cached;
}
