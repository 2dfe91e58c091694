import { filterTargetsPlatform } from '../platforms';
import type { TargetDevice } from '../targetDevice';
import { compareVersions, parseVersion } from '../version';
import type { FilterNode, FilterRule } from './filterRule';

/**
 * Whether a filter matches a device. A filter whose platform cannot target the device never matches it
 * (an iOS filter says nothing about an Android device). Text compares without regard to case; a fact
 * Intune lacks (null) equals only Null, so it fails -eq/-startsWith/-contains/-in and passes -ne,
 * -notContains and -notIn.
 */
export function filterMatches(rule: FilterRule, device: TargetDevice): boolean {
  if (device.platform === null || !filterTargetsPlatform(rule.platform, device.platform)) return false;
  return holds(rule.root, device);
}

function holds(node: FilterNode, device: TargetDevice): boolean {
  switch (node.kind) {
    case 'and':
      return node.operands.every((operand) => holds(operand, device));
    case 'or':
      return node.operands.some((operand) => holds(operand, device));
    case 'compare': {
      const raw = node.property.read(device);
      const fact = raw === null || raw === '' ? null : raw;
      const { operator, value } = node;
      const negated = operator === 'notEquals' || operator === 'notContains' || operator === 'notIn';
      if (value.kind === 'null') return (fact === null) !== negated;
      if (fact === null) return negated;
      if (value.kind === 'version') {
        const version = parseVersion(fact);
        if (!version) return negated;
        const order = compareVersions(version, value.version);
        switch (operator) {
          case 'equals':
            return order === 0;
          case 'notEquals':
            return order !== 0;
          case 'greaterThan':
            return order > 0;
          case 'greaterThanOrEquals':
            return order >= 0;
          case 'lessThan':
            return order < 0;
          case 'lessThanOrEquals':
            return order <= 0;
          default:
            return false;
        }
      }
      const text = fact.toLowerCase();
      if (value.kind === 'list') return value.values.includes(text) !== negated;
      switch (operator) {
        case 'equals':
          return text === value.value;
        case 'notEquals':
          return text !== value.value;
        case 'startsWith':
          return text.startsWith(value.value);
        case 'contains':
          return text.includes(value.value);
        case 'notContains':
          return !text.includes(value.value);
        default:
          return false;
      }
    }
  }
}

/**
 * Whether an assignment with this filter reaches the device. Include: the filter matches. Exclude: it does
 * not. Either way a filter that cannot target the device's platform (or that no longer compiles, null)
 * keeps the assignment away: Intune does not evaluate an iOS filter, include or exclude, for an Android
 * device.
 */
export function assignmentFilterPasses(
  rule: FilterRule | null,
  mode: 'include' | 'exclude',
  device: TargetDevice,
): boolean {
  if (!rule || device.platform === null || !filterTargetsPlatform(rule.platform, device.platform))
    return false;
  const matches = holds(rule.root, device);
  return mode === 'include' ? matches : !matches;
}
