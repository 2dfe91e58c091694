import { z } from 'zod';
import { backendMessageSchema } from '../../agent/protocol/messages';

/**
 * The replies of a stub backend that does no work: the real backend's answer to each kind of device
 * request, recorded from one device's walk (exchangeRecording.ts), by replyKey. Checked with the
 * channel's own reply schema where it crosses into the stub's process.
 */
export const replyTableSchema = z.record(z.string().min(1), backendMessageSchema);
export type ReplyTable = z.infer<typeof replyTableSchema>;

/**
 * The kind of a device request a reply answers: its type, and for completeStage its stage too (the
 * backend answers staged and enrolled with different records).
 */
export function replyKey(request: { type: string; stage?: unknown }): string {
  return request.type === 'completeStage' ? `completeStage:${String(request.stage)}` : request.type;
}

const PLACEHOLDER = JSON.stringify('\u0000requestId\u0000');

/**
 * A frame's text with a requestId put in, serialized once: the stub answers and the raw clients send
 * thousands of the same frame, and JSON.stringify of each would be work the real peers do not share
 * with them (the figures are meant to be the wire's, not the stub's).
 */
export function withRequestId(frame: object): (requestId: string) => string {
  const text = JSON.stringify({ ...frame, requestId: JSON.parse(PLACEHOLDER) as string });
  const at = text.indexOf(PLACEHOLDER);
  const before = text.slice(0, at);
  const after = text.slice(at + PLACEHOLDER.length);
  return (requestId) => `${before}${JSON.stringify(requestId)}${after}`;
}
