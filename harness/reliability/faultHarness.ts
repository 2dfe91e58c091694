import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DeviceChannelClient } from '../../agent/channel/DeviceChannelClient';
import { SimulatedDevice } from '../../agent/device/SimulatedDevice';
import { MemoryDeviceStorage } from '../../agent/device/deviceStorage';
import { deviceModel } from '../../agent/model/deviceModel';
import { type DeviceSnapshot } from '../../agent/model/inspect';
import { fixedClock } from '../backend/clock';
import { startBackend, type RunningBackend } from '../backend/server';
import { DeviceRecordReader, type DeviceBackendRecord } from '../world/DeviceRecordReader';
import { AdminClient } from '../world/AdminClient';
import { FaultyLink } from './FaultyLink';
import { type ExpectedOutcome, type FaultKind, type StateTarget } from './faultMatrix';

import type { RetryPolicy } from '../../agent/channel/retryPolicy';
import type { FaultMatrixOptions } from './runFaultMatrix';

/** Quicker than RETRY_BUDGET, and as long in all as a backend restart needs here. */
export const QUICK_RETRY: RetryPolicy = { attempts: 30, baseDelayMs: 10, maxDelayMs: 250 };

/**
 * What the fault matrix runs on: one backend on a temporary --db file behind a FaultyLink, the devices
 * it boots and reboots from their saved state, the records it reads back, and the device slots (one per
 * state and fault) the orchestration (runFaultMatrix.ts) moves through its phases.
 */
export const FIRE_TIMEOUT_MS = 5_000;
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Slot {
  target: StateTarget;
  fault: FaultKind | null;
  serial: string;
  device: SimulatedDevice;
  expected: ExpectedOutcome;
  fired: boolean;
  firing: Promise<void> | null;
  /** Whether the device's way on to enrolled made an exchange with the backend (an armed fault hits it). */
  exchanged: boolean;
  settledAt: string | null;
  problems: string[];
  dead: boolean;
}

export type ReplyFault = () => void;

export interface Records {
  of(serial: string): DeviceBackendRecord;
  managedCount(serial: string): number;
}

export class Harness {
  readonly storage = new MemoryDeviceStorage();
  readonly replyFaults = new Map<string, ReplyFault>();
  readonly clock = fixedClock(Date.now());
  private readonly folder = mkdtempSync(join(tmpdir(), 'stagesim-faults-'));
  readonly dbPath = join(this.folder, 'backend.db');
  backend!: RunningBackend;
  link!: FaultyLink;
  admin!: AdminClient;
  // Without a revision: the backend restarts under the matrix, and every read goes to it.
  private recordReader!: DeviceRecordReader;

  constructor(
    private readonly extra: FaultMatrixOptions['backend'] = {},
    private readonly retry = QUICK_RETRY,
  ) {}

  async start(): Promise<void> {
    this.backend = await this.startBackend(0);
    this.link = await FaultyLink.start(this.backend.channelUrl);
    this.admin = new AdminClient(this.backend.url);
    this.recordReader = new DeviceRecordReader(this.admin);
  }

  private startBackend(port: number): Promise<RunningBackend> {
    return startBackend({
      ...this.extra,
      port,
      dbPath: this.dbPath,
      dbSynchronous: 'off',
      clock: this.clock,
      beforeReply: (request) => {
        if (request.type === 'hello') return 'send';
        const serial = this.link?.ownerOf(request.requestId);
        const fault = serial === undefined ? undefined : this.replyFaults.get(serial);
        if (!fault) return 'send';
        this.replyFaults.delete(serial!);
        fault();
        return 'drop';
      },
    });
  }

  /** Arms a fault for the reply to the device's next request other than hello; resolves when it fired. */
  armReply(serial: string, fault: ReplyFault = () => undefined): Promise<void> {
    return new Promise((fired) =>
      this.replyFaults.set(serial, () => {
        fault();
        fired();
      }),
    );
  }

  /** The same file, the same port, the same clock: devices come back to the address they know. */
  async restartBackend(): Promise<void> {
    const port = this.backend.port;
    await this.backend.close();
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.backend = await this.startBackend(port);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await pause(25);
      }
    }
    this.link.retarget(this.backend.channelUrl);
  }

  boot(serialNumber: string, osVersion: string): SimulatedDevice {
    const service = new DeviceChannelClient({
      url: this.link.url,
      requestTimeoutMs: 5_000,
      retry: this.retry,
    });
    return new SimulatedDevice({
      profile: { serialNumber, manufacturer: 'Google', model: 'Pixel 8', osVersion },
      service,
      storage: this.storage,
    });
  }

  /** The device comes back after losing power: a new process, restored from what it saved. */
  async reboot(slot: Slot): Promise<void> {
    await slot.device.close();
    slot.device = this.boot(slot.serial, slot.device.profile.osVersion);
    await slot.device.settled();
  }

  /** Every managed device and ledger entry at once, by serial number: two requests for all the checks. */
  async records(): Promise<Records> {
    const [devices, ledger] = await Promise.all([
      this.admin.managedDevices({ top: 1000 }),
      this.admin.ledger(),
    ]);
    if (devices.length >= 1000)
      throw new Error('the matrix reads managed devices in one page of 1000; it has more devices than that');
    const bySerial = <T extends { serialNumber: string }>(items: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of items) map.set(item.serialNumber, [...(map.get(item.serialNumber) ?? []), item]);
      return map;
    };
    const byDevice = bySerial(devices);
    const ledgerByDevice = bySerial(ledger);
    return {
      of: (serial) => ({
        device: byDevice.get(serial)?.[0] ?? null,
        ledger: ledgerByDevice.get(serial) ?? [],
      }),
      managedCount: (serial) => byDevice.get(serial)?.length ?? 0,
    };
  }

  readBackend(serial: string): Promise<DeviceBackendRecord> {
    return this.recordReader.read(serial);
  }

  async close(): Promise<void> {
    await this.link?.close();
    await this.backend?.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The device's model snapshot, with the stage the backend committed that it never heard of. */
export function believed(slot: Slot): DeviceSnapshot {
  const snapshot = slot.device.snapshot();
  const ahead = slot.expected.backendAhead;
  if (!ahead) return snapshot;
  return deviceModel.resolveState({
    value: snapshot.value,
    context: { ...snapshot.context, recordedStage: ahead },
  });
}

export async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${FIRE_TIMEOUT_MS} ms`)),
      FIRE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends stale completeStage messages as the device, on a connection of their own; answers the replies. */
export async function sendStale(
  channelUrl: string,
  slot: Slot,
): Promise<Array<{ stage: string; reply: { type?: string; code?: string } }>> {
  const socket = new WebSocket(channelUrl);
  const replies: unknown[] = [];
  const waiters: Array<(message: unknown) => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else replies.push(message);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = () =>
    replies.length > 0
      ? Promise.resolve(replies.shift())
      : new Promise<unknown>((resolve) => waiters.push(resolve));
  const { serialNumber, manufacturer, model, osVersion } = slot.device.profile;
  try {
    socket.send(
      JSON.stringify({
        type: 'hello',
        requestId: 'stale-0',
        device: { serialNumber, manufacturer, model, osVersion },
      }),
    );
    await within(next(), 'the hello reply');
    const answers: Array<{ stage: string; reply: { type?: string; code?: string } }> = [];
    for (const [index, stage] of slot.expected.staleStages.entries()) {
      socket.send(JSON.stringify({ type: 'completeStage', requestId: `stale-${index + 1}`, stage }));
      answers.push({
        stage,
        reply: (await within(next(), `the reply to a stale ${stage}`)) as { type?: string; code?: string },
      });
    }
    return answers;
  } finally {
    socket.close();
  }
}
