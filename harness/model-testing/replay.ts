import type { ModelPath } from './paths';
import type { PathPlan } from './planner';

/**
 * A failing path as text a person can replay: the seed and path id reproduce it with
 * `stagesim model --seed N --only ID`, and the event list says what happened up to the failure.
 */
export function replayText(path: ModelPath, plan: PathPlan, seed: number, failedAt: number): string {
  const lines = [
    `# replay with: stagesim model --seed ${seed} --only ${path.id}`,
    `seed: ${seed}`,
    `path: ${path.id}`,
    `androidVersion: "${plan.osVersion}"`,
    'events:',
  ];
  path.steps.forEach((step, index) => {
    const { type, ...payload } = step.event;
    const detail = Object.keys(payload).length > 0 ? ` ${JSON.stringify(payload)}` : '';
    lines.push(`  - ${type}${detail}  # -> ${step.path}${index === failedAt ? '  <- failed here' : ''}`);
  });
  return `${lines.join('\n')}\n`;
}
