import { z } from 'zod';
import { oneLine } from '../../../agent/errors';
import { upnSchema } from '../../../agent/protocol/enrollment';
import {
  completeStageMessageSchema,
  factoryResetMessageSchema,
  helloMessageSchema,
  redeemTokenMessageSchema,
  signInMessageSchema,
  stateReportMessageSchema,
  type ChannelErrorCode,
  type DeviceMessage,
  type DeviceMessageType,
  type StateReportMessage,
} from '../../../agent/protocol/messages';
import type { DeviceEnrollment, ReplyBody } from '../deviceEnrollment';
import { FailureWindow, type KeyedFailureWindows, type RateLimit } from '../rateLimit';

export interface CachedReply {
  type: DeviceMessageType;
  requestId: string;
  text: string;
}

/**
 * The last reply per device (by serial number), so a request resent after a dropped connection gets it
 * again word for word. It may forget devices (it is bounded): a change's reply is also kept with the
 * change in the store, and only replies that changed nothing are lost with it.
 */
export interface ReplyCache {
  get(serialNumber: string): CachedReply | undefined;
  set(serialNumber: string, reply: CachedReply): unknown;
  clear(): void;
}

export interface SessionContext {
  enrollment: DeviceEnrollment;
  replies: ReplyCache;
  redemptionLimit: RateLimit;
  /** Failed redemptions per serial number, across connections: reconnecting does not start afresh. */
  redemptionFailuresBySerial: KeyedFailureWindows;
  now: () => number;
  /** A device said where its model is (stateReport); answers an error message when the report is unusable. */
  onStateReport?: (report: StateReportMessage) => string | null;
}

export interface HandledMessage {
  /** The JSON text to send back; null for a state report, which is never answered. */
  text: string | null;
  /** The request it answers, when the frame was a valid request. */
  request: { type: DeviceMessageType; requestId: string } | null;
  /** What the reply said: its type, and the reason or error code when it refused. */
  outcome: RequestOutcome;
}

export interface RequestOutcome {
  reply: string;
  reason?: string;
}

// A sign-in whose account is malformed is answered as a rejected sign-in (invalidUpn), not as a
// malformed message: the account is what a person typed.
const signInShapeSchema = signInMessageSchema.extend({ upn: z.string().max(1024) });

const SCHEMAS: Record<DeviceMessageType, z.ZodType<DeviceMessage>> = {
  hello: helloMessageSchema,
  redeemToken: redeemTokenMessageSchema,
  completeStage: completeStageMessageSchema,
  signIn: signInShapeSchema as z.ZodType<DeviceMessage>,
  factoryReset: factoryResetMessageSchema,
};

const KNOWN_TYPES = Object.keys(SCHEMAS).join(', ');

/**
 * One device connection. Turns each text frame into exactly one reply and never throws: malformed JSON,
 * schema failures, unknown types and handler exceptions all become error replies, and the connection
 * stays usable.
 */
export class ChannelSession {
  private deviceId: string | null = null;
  private serialNumber: string | null = null;
  /** The serial number the connection speaks for (hello or its latest state report). */
  private reportedSerial: string | null = null;
  private readonly redemptionFailures: FailureWindow;

  constructor(private readonly context: SessionContext) {
    this.redemptionFailures = new FailureWindow(
      context.redemptionLimit.maxFailures,
      context.redemptionLimit.windowMs,
      context.now,
    );
  }

  /** The device on this connection, as far as it said: the console relays taps to it. */
  serial(): string | null {
    return this.serialNumber ?? this.reportedSerial;
  }

  binaryFrame(): HandledMessage {
    return {
      text: errorText(null, 'binaryNotSupported', 'frames are JSON text; binary frames are not supported'),
      request: null,
      outcome: refused('binaryNotSupported'),
    };
  }

  handle(text: string): HandledMessage {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return {
        text: errorText(null, 'invalidJson', `the frame is not JSON: ${oneLine(error)}`),
        request: null,
        outcome: refused('invalidJson'),
      };
    }
    const loose =
      typeof json === 'object' && json !== null && !Array.isArray(json)
        ? (json as Record<string, unknown>)
        : null;
    const looseRequestId =
      typeof loose?.requestId === 'string' && loose.requestId.length > 0 && loose.requestId.length <= 64
        ? loose.requestId
        : null;
    if (!loose || typeof loose.type !== 'string') {
      return {
        text: errorText(
          looseRequestId,
          'invalidMessage',
          `type: expected a message object with a "type" (${KNOWN_TYPES})`,
        ),
        request: null,
        outcome: refused('invalidMessage'),
      };
    }
    if (loose.type === 'stateReport') return this.stateReport(loose, looseRequestId);
    const schema = Object.hasOwn(SCHEMAS, loose.type) ? SCHEMAS[loose.type as DeviceMessageType] : undefined;
    if (!schema) {
      return {
        text: errorText(
          looseRequestId,
          'unknownType',
          `unknown message type "${loose.type.slice(0, 64)}" (known: ${KNOWN_TYPES})`,
        ),
        request: null,
        outcome: refused('unknownType'),
      };
    }
    const parsed = schema.safeParse(loose);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'message';
      return {
        text: errorText(looseRequestId, 'invalidMessage', `${path}: ${oneLine(issue.message)}`),
        request: null,
        outcome: refused('invalidMessage'),
      };
    }
    const message = parsed.data;
    const request = { type: message.type, requestId: message.requestId };
    try {
      return { ...this.answer(message), request };
    } catch (error) {
      return {
        text: errorText(
          message.requestId,
          'internalError',
          `the backend failed on this request: ${oneLine(error)}`,
        ),
        request,
        outcome: refused('internalError'),
      };
    }
  }

  /** Reports are not answered when they are good; a bad one gets an error so its sender can tell. */
  private stateReport(loose: Record<string, unknown>, looseRequestId: string | null): HandledMessage {
    const parsed = stateReportMessageSchema.safeParse(loose);
    let problem: string | null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      problem = `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'message'}: ${oneLine(issue.message)}`;
    } else {
      problem = this.context.onStateReport?.(parsed.data) ?? null;
      if (problem === null) this.reportedSerial = parsed.data.device.serialNumber;
    }
    return {
      text: problem === null ? null : errorText(looseRequestId, 'invalidMessage', problem),
      request: null,
      outcome: problem === null ? { reply: 'stateReport' } : refused('invalidMessage'),
    };
  }

  private answer(message: DeviceMessage): Omit<HandledMessage, 'request'> {
    const { enrollment, replies } = this.context;
    if (message.type === 'hello') {
      const { deviceId, reply } = enrollment.hello(message.device);
      this.deviceId = deviceId;
      this.serialNumber = message.device.serialNumber;
      return { text: replyText(message.requestId, reply), outcome: outcomeOf(reply) };
    }
    if (this.deviceId === null || this.serialNumber === null) {
      return {
        text: errorText(message.requestId, 'notRegistered', `send hello before ${message.type}`),
        outcome: refused('notRegistered'),
      };
    }
    // A resend is answered as before, and counted as a resend, not as a second outcome.
    const cached = replies.get(this.serialNumber);
    if (cached && cached.requestId === message.requestId && cached.type === message.type)
      return { text: cached.text, outcome: RESENT };
    // Not in memory (the backend restarted since): the change the request made keeps its reply.
    const kept = enrollment.storedReply(this.deviceId, message.requestId, message.type);
    if (kept) return { text: replyText(message.requestId, kept), outcome: RESENT };

    const body = this.dispatch(this.deviceId, message);
    const text = replyText(message.requestId, body);
    replies.set(this.serialNumber, { type: message.type, requestId: message.requestId, text });
    return { text, outcome: outcomeOf(body) };
  }

  private dispatch(deviceId: string, message: Exclude<DeviceMessage, { type: 'hello' }>): ReplyBody {
    const { enrollment } = this.context;
    const stamp = { requestId: message.requestId, type: message.type };
    switch (message.type) {
      case 'redeemToken': {
        // Both limits: one connection trying many serials, and one serial trying over many connections.
        const bySerial = this.context.redemptionFailuresBySerial.get(this.serialNumber!);
        if (this.redemptionFailures.blocked() || bySerial.blocked())
          return { type: 'tokenRejected', reason: 'rateLimited' };
        const reply = enrollment.redeemToken(deviceId, message.token, message.method, stamp);
        if (reply.type === 'tokenRejected') {
          this.redemptionFailures.fail();
          bySerial.fail();
        }
        return reply;
      }
      case 'completeStage':
        return enrollment.completeStage(deviceId, message.stage, stamp);
      case 'signIn':
        if (!upnSchema.safeParse(message.upn).success)
          return { type: 'signInRejected', reason: 'invalidUpn' };
        return enrollment.signIn(deviceId, message.upn, stamp);
      case 'factoryReset':
        return enrollment.factoryReset(deviceId, stamp);
    }
  }
}

const RESENT: RequestOutcome = { reply: 'resent' };

function refused(code: ChannelErrorCode): RequestOutcome {
  return { reply: 'error', reason: code };
}

function outcomeOf(body: ReplyBody): RequestOutcome {
  if (body.type === 'tokenRejected' || body.type === 'signInRejected')
    return { reply: body.type, reason: body.reason };
  if (body.type === 'error') return { reply: 'error', reason: body.code };
  return { reply: body.type };
}

function replyText(requestId: string, body: ReplyBody): string {
  // The type first and the requestId second, then the rest in the body's order: assigning the body
  // over the two keeps their places and is cheaper than a rest pattern and a spread per reply.
  return JSON.stringify(Object.assign({ type: body.type, requestId }, body));
}

function errorText(requestId: string | null, code: ChannelErrorCode, message: string): string {
  return JSON.stringify({ type: 'error', requestId, code, message });
}
