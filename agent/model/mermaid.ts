import type { AnyStateNode } from 'xstate';
import { deviceModel } from './deviceModel';
import { modelTransitions } from './transitions';

/** Mermaid ids cannot contain dots; nested states get their full path joined with underscores. */
const mermaidId = (path: string) => path.replace(/\./g, '_');

/** The device model as a Mermaid stateDiagram-v2, nested like the machine, every transition labelled. */
export function toMermaid(): string {
  const lines = ['stateDiagram-v2'];
  const declare = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states) as AnyStateNode[];
    for (const child of children) {
      const id = mermaidId(child.path.join('.'));
      const title = (child.meta as { screen?: { title?: string } } | undefined)?.screen?.title;
      const grandchildren = Object.values(child.states) as AnyStateNode[];
      if (grandchildren.length > 0) {
        lines.push(`${indent}state "${child.key}" as ${id} {`);
        const initial = child.config.initial as string | undefined;
        if (initial) lines.push(`${indent}  [*] --> ${mermaidId([...child.path, initial].join('.'))}`);
        declare(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}: ${(title ?? child.key).replace(/"/g, "'")}" as ${id}`);
      }
    }
  };
  lines.push(`  [*] --> ${mermaidId(String(deviceModel.config.initial))}`);
  declare(deviceModel.root, '  ');
  for (const t of modelTransitions()) {
    if (t.target === null) continue;
    const label = t.guard ? `${t.event} [${t.guard}]` : t.event;
    if (t.source === '') {
      lines.push(`  note left of ${mermaidId(t.target)} : ${label} from any state`);
      continue;
    }
    lines.push(`  ${mermaidId(t.source)} --> ${mermaidId(t.target)} : ${label}`);
  }
  return `${lines.join('\n')}\n`;
}
