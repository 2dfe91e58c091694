import { signInRejectionReasonSchema, tokenRejectionReasonSchema } from '../protocol/enrollment';
import {
  acceptedModeSchema,
  acceptedTokenTypeSchema,
  configurationSourceSchema,
  deviceEventTypes,
  setupFailureReasonSchema,
  type DeviceEvent,
} from './events';

/** The account model walks use when an event needs one. */
export const SAMPLE_UPN = 'john@contoso.com';

/**
 * Every distinct event the model can receive, with every payload value the model tells apart. Graph
 * walks (test generation, reachability) offer these in every state; the machine ignores the ones a
 * state does not handle.
 */
export function eventVariants(): DeviceEvent[] {
  const variants: DeviceEvent[] = [];
  for (const type of deviceEventTypes) {
    switch (type) {
      case 'SIGN_IN':
        variants.push({ type, upn: SAMPLE_UPN });
        break;
      case 'TOKEN_ACCEPTED':
        for (const tokenType of acceptedTokenTypeSchema.options)
          for (const mode of acceptedModeSchema.options) variants.push({ type, tokenType, mode });
        break;
      case 'TOKEN_REJECTED':
        for (const reason of tokenRejectionReasonSchema.options) variants.push({ type, reason });
        break;
      case 'CONFIGURATION_FOUND':
        for (const source of configurationSourceSchema.options) variants.push({ type, source });
        break;
      case 'SETUP_FAILED':
        for (const reason of setupFailureReasonSchema.options) variants.push({ type, reason });
        break;
      case 'SIGN_IN_REJECTED':
        for (const reason of signInRejectionReasonSchema.options) variants.push({ type, reason });
        break;
      default:
        variants.push({ type } as DeviceEvent);
    }
  }
  return variants;
}
