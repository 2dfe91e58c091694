import { leafStateNodes, pathOfNode } from '../../agent/model/inspect';
import type { DeviceEventType } from '../../agent/model/events';
import { findTransition, modelTransitions } from '../../agent/model/transitions';
import type { Coverage } from '../reporters/report';

/** One step a device really took: from a model state, on an event, to a model state. */
export interface TakenTransition {
  from: string;
  event: string;
  to: string;
}

/** State and transition coverage of the device model from what devices really went through. */
export function computeCoverage(taken: TakenTransition[]): Coverage {
  const states = leafStateNodes().map(pathOfNode);
  const transitions = modelTransitions().map((transition) => transition.id);
  const coveredStates = new Set<string>(['outOfBox']);
  const coveredTransitions = new Set<string>();
  for (const step of taken) {
    coveredStates.add(step.to);
    const transition = findTransition(step.from, step.event as DeviceEventType, step.to);
    if (transition) coveredTransitions.add(transition.id);
  }
  const inOrder = (all: string[], covered: Set<string>) => all.filter((id) => covered.has(id));
  const missing = (all: string[], covered: Set<string>) => all.filter((id) => !covered.has(id));
  return {
    states: { covered: inOrder(states, coveredStates).length, total: states.length },
    transitions: { covered: inOrder(transitions, coveredTransitions).length, total: transitions.length },
    coveredStates: inOrder(states, coveredStates),
    coveredTransitions: inOrder(transitions, coveredTransitions),
    uncoveredStates: missing(states, coveredStates),
    uncoveredTransitions: missing(transitions, coveredTransitions),
  };
}
