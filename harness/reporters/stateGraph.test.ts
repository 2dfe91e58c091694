import { leafStateNodes, pathOfNode } from '../../agent/model/inspect';
import { modelTransitions } from '../../agent/model/transitions';
import { curvePath, layoutStateGraph, renderStateGraphSvg } from './stateGraph';
import { modelRunReport } from './testing/runReportFixture';

describe('state graph', () => {
  const coverage = modelRunReport().coverage!;
  const graph = layoutStateGraph(coverage);
  const leaves = leafStateNodes().map(pathOfNode);

  test('draws every leaf state once, marked as the coverage says', () => {
    const states = graph.nodes.filter((n) => n.kind === 'state');
    expect(states.map((n) => n.path).sort()).toEqual([...leaves].sort());
    for (const node of states) {
      expect(node.mark).toBe(coverage.coveredStates.includes(node.path) ? 'covered' : 'uncovered');
    }
  });

  test('draws every model transition exactly once, on an arrow between the right nodes', () => {
    const lines = graph.edges.flatMap((e) => e.lines.map((line) => ({ ...line, edge: e })));
    expect(lines.map((l) => l.transitionId).sort()).toEqual(
      modelTransitions()
        .map((t) => t.id)
        .sort(),
    );
    const covered = new Set(coverage.coveredTransitions);
    for (const line of lines)
      expect(line.mark).toBe(covered.has(line.transitionId) ? 'covered' : 'uncovered');

    const byId = new Map(lines.map((l) => [l.transitionId, l.edge]));
    // Entering a compound state lands on its initial leaf.
    expect(byId.get('outOfBox POWER_ON #0')).toMatchObject({
      source: 'outOfBox',
      target: 'setupWizard.welcome',
    });
    // A compound state's own transitions start from its "any state" node.
    expect(byId.get('setupWizard POWER_LOST #0')).toMatchObject({
      source: 'any:setupWizard',
      target: 'outOfBox',
    });
    expect(byId.get('(any) FACTORY_RESET #0')).toMatchObject({
      source: 'any:',
      target: 'setupWizard.welcome',
    });
    // A transition that stays put is a loop.
    expect(byId.get('setupWizard.welcome TAP_WELCOME #1')).toMatchObject({
      source: 'setupWizard.welcome',
      target: 'setupWizard.welcome',
    });
  });

  test('every compound state is a cluster that encloses its leaves', () => {
    const clusters = new Map(graph.clusters.map((c) => [c.path, c]));
    expect([...clusters.keys()]).toEqual(
      expect.arrayContaining(['setupWizard', 'stagingStage2', 'stagingStage3', 'defaultStage2', 'enrolled']),
    );
    for (const node of graph.nodes.filter((n) => n.kind === 'state' && n.path.includes('.'))) {
      const cluster = clusters.get(node.path.split('.')[0]!)!;
      expect(node.x).toBeGreaterThanOrEqual(cluster.x);
      expect(node.y).toBeGreaterThanOrEqual(cluster.y);
      expect(node.x + node.width).toBeLessThanOrEqual(cluster.x + cluster.width);
      expect(node.y + node.height).toBeLessThanOrEqual(cluster.y + cluster.height);
    }
  });

  test('no two state boxes overlap and everything lies inside the drawing', () => {
    const boxes = graph.nodes;
    for (const [i, a] of boxes.entries()) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(graph.width);
      expect(a.y + a.height).toBeLessThanOrEqual(graph.height);
      for (const b of boxes.slice(i + 1)) {
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect({ a: a.id, b: b.id, apart }).toEqual({ a: a.id, b: b.id, apart: true });
      }
    }
  });

  test('the SVG carries one element per state and transition, classed by coverage', () => {
    const svg = renderStateGraphSvg(coverage).text;
    const count = (pattern: RegExp) => (svg.match(pattern) ?? []).length;
    expect(count(/<g class="node state covered/g)).toBe(coverage.coveredStates.length);
    expect(count(/<g class="node state uncovered/g)).toBe(coverage.uncoveredStates.length);
    expect(count(/<tspan class="covered"/g)).toBe(coverage.coveredTransitions.length);
    expect(count(/<tspan class="uncovered"/g)).toBe(coverage.uncoveredTransitions.length);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* viewBox="0 0 \d+ \d+"/);
  });

  test('ids the model does not know (an older or newer model) are drawn as unknown, not as covered', () => {
    const stale = {
      ...coverage,
      coveredStates: coverage.coveredStates.filter((s) => s !== 'outOfBox'),
      uncoveredStates: coverage.uncoveredStates,
    };
    const node = layoutStateGraph(stale).nodes.find((n) => n.path === 'outOfBox')!;
    expect(node.mark).toBe('unknown');
  });

  test('curvePath starts and ends exactly on the first and last points', () => {
    expect(
      curvePath([
        { x: 0, y: 0 },
        { x: 10, y: 5 },
      ]),
    ).toBe('M0,0L10,5');
    const d = curvePath([
      { x: 0, y: 0 },
      { x: 10, y: 10 },
      { x: 20, y: 0 },
      { x: 30, y: 10 },
    ]);
    expect(d.startsWith('M0,0')).toBe(true);
    expect(d.endsWith('L30,10')).toBe(true);
    expect(d.match(/C/g)).toHaveLength(3);
  });
});
