import { Graph, layout } from '@dagrejs/dagre';
import type { AnyStateNode } from 'xstate';
import { deviceModel } from '../../agent/model/deviceModel';
import { leafStateNodes, metaOfPath, pathOfNode } from '../../agent/model/inspect';
import { modelTransitions, type ModelTransition } from '../../agent/model/transitions';
import { markup, type Markup } from './format';
import type { Coverage } from './report';

/**
 * The device model's state graph with coverage drawn on it, for the HTML report. Leaf states are the
 * nodes and every compound state is a cluster around its children (dagre lays out nested clusters), so
 * the picture reads like the staging document: setup wizard, stage 2, stage 3, enrolled.
 *
 * Transitions handled by a compound state ("POWER_LOST anywhere in the setup wizard") start from an
 * "any state" node inside that cluster rather than from each child, which would multiply the arrows.
 * Arrows between the same two nodes are merged into one with a line per transition, each line marked
 * covered or not.
 */

export type CoverageMark = 'covered' | 'uncovered' | 'unknown';

export interface Point {
  x: number;
  y: number;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphNode extends Box {
  id: string;
  /** A leaf state, or the stand-in for "any state" of a compound state (or of the whole machine). */
  kind: 'state' | 'any';
  /** Dotted model path ("" for the machine itself). */
  path: string;
  label: string;
  title: string | null;
  error: boolean;
  mark: CoverageMark;
}

export interface GraphCluster extends Box {
  id: string;
  path: string;
  label: string;
}

export interface EdgeLine {
  transitionId: string;
  text: string;
  mark: CoverageMark;
}

export interface GraphEdge {
  source: string;
  target: string;
  lines: EdgeLine[];
  points: Point[];
  label: Box;
  mark: CoverageMark;
}

export interface StateGraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  clusters: GraphCluster[];
  edges: GraphEdge[];
}

// Text is measured by estimate (there is no DOM here): monospace glyphs are 0.6em wide, proportional ones
// are estimated on the wide side and titles are cut short so a box never clips its text.
const MONO_CHAR = 0.6;
const KEY_FONT = 12;
const TITLE_FONT = 11;
const EDGE_FONT = 10;
const LINE_HEIGHT = 1.3;
const TITLE_MAX = 34;
/** How far a self-loop reaches out of the right side of its node. */
const LOOP_REACH = 26;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function markOf(id: string, covered: ReadonlySet<string>, uncovered: ReadonlySet<string>): CoverageMark {
  if (covered.has(id)) return 'covered';
  if (uncovered.has(id)) return 'uncovered';
  return 'unknown';
}

/** Entering a compound state enters its initial child, down to a leaf. */
function initialLeaf(path: string): string {
  let node = deviceModel.getStateNodeById(`device.${path}`) as AnyStateNode;
  while (Object.keys(node.states).length > 0) {
    const initial = node.config.initial;
    if (typeof initial !== 'string') break;
    node = node.states[initial] as AnyStateNode;
  }
  return pathOfNode(node);
}

function transitionText(t: ModelTransition, branches: number): string {
  if (t.guard) return `${t.event} [${t.guard}]`;
  return branches > 1 ? `${t.event} [else]` : t.event;
}

function combine(marks: CoverageMark[]): CoverageMark {
  if (marks.includes('covered')) return 'covered';
  if (marks.includes('uncovered')) return 'uncovered';
  return 'unknown';
}

/** A loop out of the right side of `node` and back, its label beside it. */
function selfLoop(node: Box, label: { width: number; height: number }): { points: Point[]; label: Box } {
  const right = node.x + node.width;
  const middle = node.y + node.height / 2;
  return {
    points: [
      { x: right, y: middle - 8 },
      { x: right + LOOP_REACH, y: middle - 12 },
      { x: right + LOOP_REACH, y: middle + 12 },
      { x: right, y: middle + 8 },
    ],
    label: { x: right + LOOP_REACH + 4, y: middle - label.height / 2, ...label },
  };
}

const ANY_PREFIX = 'any:';
const CLUSTER_PREFIX = 'cluster:';

export function layoutStateGraph(coverage: Coverage): StateGraphLayout {
  const coveredStates = new Set(coverage.coveredStates);
  const uncoveredStates = new Set(coverage.uncoveredStates);
  const coveredTransitions = new Set(coverage.coveredTransitions);
  const uncoveredTransitions = new Set(coverage.uncoveredTransitions);

  const graph = new Graph({ compound: true, multigraph: false });
  graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, edgesep: 12, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));

  const nodes = new Map<string, Omit<GraphNode, keyof Box>>();
  const clusterOf = (path: string): string | undefined => {
    const parent = path.split('.').slice(0, -1).join('.');
    return parent === '' ? undefined : `${CLUSTER_PREFIX}${parent}`;
  };

  const addNode = (node: Omit<GraphNode, keyof Box>) => {
    const titleWidth = node.title ? node.title.length * TITLE_FONT * 0.58 : 0;
    // State keys are drawn with a coverage mark and a space in front (see renderNode).
    const keyChars = node.label.length + (node.kind === 'state' ? 2 : 0);
    const width = Math.ceil(Math.max(keyChars * KEY_FONT * MONO_CHAR, titleWidth) + 20);
    const height = node.title ? 42 : 26;
    nodes.set(node.id, node);
    graph.setNode(node.id, { width, height });
  };

  // Clusters first, parents before children, so setParent always finds its parent.
  const compounds: AnyStateNode[] = [];
  const collect = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      if (Object.keys(child.states).length > 0) {
        compounds.push(child);
        collect(child);
      }
    }
  };
  collect(deviceModel.root as AnyStateNode);
  for (const compound of compounds) {
    const path = pathOfNode(compound);
    graph.setNode(`${CLUSTER_PREFIX}${path}`, { width: 0, height: 0 });
    const parent = clusterOf(path);
    if (parent) graph.setParent(`${CLUSTER_PREFIX}${path}`, parent);
  }

  for (const leaf of leafStateNodes()) {
    const path = pathOfNode(leaf);
    const meta = metaOfPath(path);
    addNode({
      id: path,
      kind: 'state',
      path,
      label: String(leaf.key),
      title: meta.poweredOff ? '(powered off)' : shorten(meta.screen.title, TITLE_MAX),
      error: meta.error,
      mark: markOf(path, coveredStates, uncoveredStates),
    });
    const parent = clusterOf(path);
    if (parent) graph.setParent(path, parent);
  }

  const anyNode = (source: string): string => {
    const id = `${ANY_PREFIX}${source}`;
    if (!nodes.has(id)) {
      addNode({
        id,
        kind: 'any',
        path: source,
        label: source === '' ? 'any state' : 'any state here',
        title: null,
        error: false,
        mark: 'unknown',
      });
      if (source !== '') graph.setParent(id, `${CLUSTER_PREFIX}${source}`);
    }
    return id;
  };

  const transitions = modelTransitions();
  const branchCount = (t: ModelTransition) =>
    transitions.filter((u) => u.source === t.source && u.event === t.event).length;
  const leafIds = new Set(leafStateNodes().map(pathOfNode));
  const grouped = new Map<string, { source: string; target: string; lines: EdgeLine[] }>();
  for (const t of transitions) {
    const source = leafIds.has(t.source) ? t.source : anyNode(t.source);
    // A transition without a target stays where it is (actions only): drawn as a loop.
    const target = t.target === null ? source : initialLeaf(t.target);
    const key = `${source}\u0000${target}`;
    const group = grouped.get(key) ?? { source, target, lines: [] };
    group.lines.push({
      transitionId: t.id,
      text: transitionText(t, branchCount(t)),
      mark: markOf(t.id, coveredTransitions, uncoveredTransitions),
    });
    grouped.set(key, group);
  }
  const labelSize = (lines: EdgeLine[]) => ({
    width: Math.ceil(Math.max(...lines.map((line) => line.text.length + 2)) * EDGE_FONT * MONO_CHAR) + 6,
    height: Math.ceil(lines.length * EDGE_FONT * LINE_HEIGHT) + 4,
  });
  // dagre misplaces self-loops inside clusters, so a loop is drawn here instead, in room reserved on the
  // right of its node (the node is laid out wider than the box that is drawn).
  const loopRoom = new Map<string, number>();
  for (const group of grouped.values()) {
    const size = labelSize(group.lines);
    if (group.source === group.target) {
      loopRoom.set(group.source, LOOP_REACH + 4 + size.width);
      const node = graph.node(group.source) as { width: number; height: number };
      graph.setNode(group.source, {
        width: node.width + LOOP_REACH + 4 + size.width,
        height: Math.max(node.height, size.height),
      });
    } else {
      graph.setEdge(group.source, group.target, { ...size, labelpos: 'c' });
    }
  }

  layout(graph);

  const box = (id: string): Box => {
    const n = graph.node(id) as Box;
    const room = loopRoom.get(id) ?? 0;
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width - room, height: n.height };
  };
  const size = graph.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: [...nodes.values()].map((node) => ({ ...node, ...box(node.id) })),
    clusters: compounds.map((compound) => {
      const path = pathOfNode(compound);
      return {
        id: `${CLUSTER_PREFIX}${path}`,
        path,
        label: String(compound.key),
        ...box(`${CLUSTER_PREFIX}${path}`),
      };
    }),
    edges: [...grouped.values()].map((group) => {
      const mark = combine(group.lines.map((line) => line.mark));
      if (group.source === group.target)
        return { ...group, ...selfLoop(box(group.source), labelSize(group.lines)), mark };
      const edge = graph.edge(group.source, group.target) as {
        points: Point[];
        x: number;
        y: number;
        width: number;
        height: number;
      };
      return {
        ...group,
        points: edge.points,
        label: {
          x: edge.x - edge.width / 2,
          y: edge.y - edge.height / 2,
          width: edge.width,
          height: edge.height,
        },
        mark,
      };
    }),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A smooth path through dagre's points (the B-spline d3's curveBasis draws), ending on the last point. */
export function curvePath(points: readonly Point[]): string {
  const p = points.map((pt) => ({ x: round(pt.x), y: round(pt.y) }));
  if (p.length < 3) return `M${p.map((pt) => `${pt.x},${pt.y}`).join('L')}`;
  const parts = [
    `M${p[0]!.x},${p[0]!.y}`,
    `L${round((5 * p[0]!.x + p[1]!.x) / 6)},${round((5 * p[0]!.y + p[1]!.y) / 6)}`,
  ];
  const bezier = (a: Point, b: Point, c: Point) =>
    parts.push(
      `C${round((2 * a.x + b.x) / 3)},${round((2 * a.y + b.y) / 3)} ${round((a.x + 2 * b.x) / 3)},${round((a.y + 2 * b.y) / 3)} ${round((a.x + 4 * b.x + c.x) / 6)},${round((a.y + 4 * b.y + c.y) / 6)}`,
    );
  for (let i = 2; i < p.length; i++) bezier(p[i - 2]!, p[i - 1]!, p[i]!);
  const last = p[p.length - 1]!;
  bezier(p[p.length - 2]!, last, last);
  parts.push(`L${last.x},${last.y}`);
  return parts.join('');
}

const markSymbol: Record<CoverageMark, string> = { covered: '✓', uncovered: '✗', unknown: '·' };

function renderNode(node: GraphNode): Markup {
  const cx = round(node.x + node.width / 2);
  const tooltip =
    node.kind === 'any'
      ? `Transitions from any state${node.path ? ` of ${node.path}` : ''}`
      : `${node.path}\n${node.title ?? ''}\n${node.mark === 'covered' ? 'covered' : node.mark === 'uncovered' ? 'NOT covered' : 'not in this run’s coverage'}`;
  const classes = ['node', node.kind, node.mark, node.error ? 'error' : ''].filter(Boolean).join(' ');
  const keyY = node.title ? node.y + 17 : node.y + node.height / 2 + 4;
  return markup`<g class="${classes}" data-state="${node.path}"><title>${tooltip}</title>
<rect x="${round(node.x)}" y="${round(node.y)}" width="${round(node.width)}" height="${round(node.height)}" rx="${node.kind === 'any' ? 13 : 6}"/>
<text class="key" x="${cx}" y="${round(keyY)}" text-anchor="middle">${node.kind === 'state' ? `${markSymbol[node.mark]} ` : ''}${node.label}</text>${
    node.title
      ? markup`<text class="title" x="${cx}" y="${round(node.y + 33)}" text-anchor="middle">${node.title}</text>`
      : ''
  }</g>
`;
}

function renderEdge(edge: GraphEdge): Markup {
  const ids = edge.lines.map((line) => line.transitionId).join('\n');
  const lineHeight = EDGE_FONT * LINE_HEIGHT;
  const tspans = edge.lines.map(
    (line, i) =>
      markup`<tspan class="${line.mark}" x="${round(edge.label.x + 3)}" y="${round(edge.label.y + 2 + lineHeight * (i + 1) - 3)}">${markSymbol[line.mark]} ${line.text}</tspan>`,
  );
  return markup`<g class="edge ${edge.mark}"><title>${ids}</title>
<path d="${curvePath(edge.points)}" marker-end="url(#arrow-${edge.mark})"/>
<text>${tspans}</text></g>
`;
}

function renderCluster(cluster: GraphCluster): Markup {
  return markup`<g class="cluster" data-state="${cluster.path}"><rect x="${round(cluster.x)}" y="${round(cluster.y)}" width="${round(cluster.width)}" height="${round(cluster.height)}" rx="10"/>
<text x="${round(cluster.x + 10)}" y="${round(cluster.y + 16)}">${cluster.label}</text></g>
`;
}

/** Inline SVG, styled by the report's CSS classes (covered, uncovered, unknown). */
export function renderStateGraphSvg(coverage: Coverage): Markup {
  const g = layoutStateGraph(coverage);
  const marker = (mark: CoverageMark) =>
    markup`<marker id="arrow-${mark}" class="${mark}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>`;
  // Clusters under edges under nodes, so arrows never hide a state and clusters never hide an arrow.
  return markup`<svg xmlns="http://www.w3.org/2000/svg" class="state-graph" viewBox="0 0 ${g.width} ${g.height}" width="${g.width}" height="${g.height}" role="img" aria-label="Device model state graph with coverage">
<defs>${(['covered', 'uncovered', 'unknown'] as const).map(marker)}</defs>
${g.clusters.map(renderCluster)}${g.edges.map(renderEdge)}${g.nodes.map(renderNode)}</svg>`;
}
