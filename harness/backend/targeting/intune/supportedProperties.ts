import type { AssignmentFilterSupportedProperty } from '@microsoft/microsoft-graph-types-beta';
import type { FilterPlatform } from '../platforms';
import { VERSION_REGEX_SOURCE } from '../version';
import { propertiesFor } from './filterProperties';

/**
 * Graph's assignmentFilterSupportedProperty list for a platform: what getSupportedProperties (a filter's
 * platform) and getPlatformSupportedProperties(platform='…') answer, from the same table the rule parser
 * checks against, so what Graph advertises is exactly what a rule may use.
 */
export function supportedPropertiesFor(
  platform: FilterPlatform,
): (AssignmentFilterSupportedProperty & { '@odata.type': string })[] {
  return propertiesFor(platform).map((property) => ({
    '@odata.type': '#microsoft.graph.assignmentFilterSupportedProperty',
    name: property.name,
    dataType: property.valueType === 'version' ? 'Version' : 'String',
    isCollection: false,
    propertyRegexConstraint: property.valueType === 'version' ? VERSION_REGEX_SOURCE : null,
    supportedOperators: [...property.operators],
    supportedValues: property.values ? [...property.values(platform)] : [],
  }));
}
