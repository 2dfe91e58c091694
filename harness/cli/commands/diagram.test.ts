import { leafStateNodes, pathOfNode } from '../../../agent/model/inspect';
import { modelTransitions } from '../../../agent/model/transitions';
import { runCli } from '../../testing/cli';

describe('stagesim diagram', () => {
  test('prints the device model as a Mermaid stateDiagram-v2 with every state and transition', async () => {
    const result = await runCli(['diagram', '--format', 'mermaid']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    const id = (path: string) => path.replace(/\./g, '_');
    for (const leaf of leafStateNodes().map(pathOfNode))
      expect(result.stdout).toMatch(new RegExp(`state "[^"]+" as ${id(leaf)}$`, 'm'));
    for (const transition of modelTransitions().filter((t) => t.target && t.source)) {
      const label = transition.guard ? `${transition.event} [${transition.guard}]` : transition.event;
      expect(lines).toContain(`  ${id(transition.source)} --> ${id(transition.target!)} : ${label}`);
    }
    // Braces balance: every composite state is closed.
    expect((result.stdout.match(/\{/g) ?? []).length).toBe((result.stdout.match(/\}/g) ?? []).length);
  });

  test('an unknown format is one clear line and exit 2', async () => {
    const result = await runCli(['diagram', '--format', 'graphviz']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('stagesim: unknown --format "graphviz" (supported: mermaid)\n');
  });
});
