import type { DeviceProperty, RuleNode } from './parser';

/** The facts about one device a rule can test; missing facts are empty strings. */
export type DeviceFacts = Record<DeviceProperty, string>;

/** Lower-cases the facts once, since every comparison is case-insensitive (values are stored lower-cased). */
export function normalizeFacts(facts: DeviceFacts): DeviceFacts {
  return {
    enrollmentProfileName: facts.enrollmentProfileName.toLowerCase(),
    osVersion: facts.osVersion.toLowerCase(),
    manufacturer: facts.manufacturer.toLowerCase(),
    model: facts.model.toLowerCase(),
    deviceName: facts.deviceName.toLowerCase(),
    serialNumber: facts.serialNumber.toLowerCase(),
  };
}

/** Whether the rule holds for a device; `facts` must come from normalizeFacts. */
export function evaluateRule(node: RuleNode, facts: DeviceFacts): boolean {
  switch (node.kind) {
    case 'and':
      return node.operands.every((operand) => evaluateRule(operand, facts));
    case 'or':
      return node.operands.some((operand) => evaluateRule(operand, facts));
    case 'not':
      return !evaluateRule(node.operand, facts);
    case 'compare': {
      const actual = facts[node.property];
      switch (node.operator) {
        case 'eq':
          return actual === node.value;
        case 'ne':
          return actual !== node.value;
        case 'startsWith':
          return actual.startsWith(node.value);
        case 'notStartsWith':
          return !actual.startsWith(node.value);
        case 'contains':
          return actual.includes(node.value);
        case 'notContains':
          return !actual.includes(node.value);
        case 'in':
          return node.values.includes(actual);
        case 'notIn':
          return !node.values.includes(actual);
      }
    }
  }
}
