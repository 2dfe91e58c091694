import { DEVICE_CHANNEL_PATH } from '../backend/channel/ChannelServer';
import { siblingEntry, sourceExecArgv } from '../fleet/sourceEntry';
import type { ReplyTable } from './replyTable';
import { startServerProcess, type ServerProcess } from './serverProcess';

/** The stub backend (replyStub.ts) in a process of its own, answering from `replies`. */
export interface ReplyStub extends ServerProcess {
  /** Its base URL (http://127.0.0.1:PORT), as a device channel client is given a backend's. */
  url: string;
  /** Its channel's own URL (ws://127.0.0.1:PORT/device), for a plain ws client. */
  channelUrl: string;
}

/** The node arguments of the stub's process, in the form (.js or .ts) this module runs in. */
export function replyStubArgs(): string[] {
  return [...sourceExecArgv(__filename), siblingEntry(__filename, 'replyStub')];
}

/**
 * Starts the stub and answers once it has printed its port. Rejects with one line if it exits first
 * (a table it refuses: its own line from stderr).
 */
export async function startReplyStub(replies: ReplyTable): Promise<ReplyStub> {
  const server = await startServerProcess('the reply stub', replyStubArgs(), JSON.stringify(replies));
  return {
    ...server,
    url: `http://127.0.0.1:${server.port}`,
    channelUrl: `ws://127.0.0.1:${server.port}${DEVICE_CHANNEL_PATH}`,
  };
}
