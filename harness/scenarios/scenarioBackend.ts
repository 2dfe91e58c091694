import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagesimError } from '../../agent/errors';
import { fixedClock, type Clock } from '../backend/clock';
import { startBackend, type BackendOptions, type RunningBackend } from '../backend/server';
import type { EmbeddedTls } from '../backend/tls/serverTls';
import { AdminClient } from '../world/AdminClient';

/**
 * The backend one scenario runs against: its own embedded backend (the default), or a backend somebody
 * else runs (`stagesim run --backend URL`). Only an embedded one can be restarted or have its clock set
 * to a date: those need the process that owns it.
 */
export interface ScenarioBackend {
  readonly url: string;
  readonly admin: AdminClient;
  /** The CA devices trust for it besides Node's own (an embedded backend serving the local CA's TLS). */
  readonly ca?: string;
  /** Whether this run owns the backend (it can restart it and set its clock). */
  readonly embedded: boolean;
  /**
   * The store's devicesRevision, for a backend in this process (DeviceRecordReader); it never goes back,
   * restarts included. Absent for a backend somebody else runs.
   */
  readonly devicesRevision?: () => number;
  restart(): Promise<void>;
  setClock(epochMs: number): Promise<void>;
  close(): Promise<void>;
}

export type StartBackend = (options: BackendOptions) => Promise<RunningBackend>;

/**
 * A backend of the scenario's own on a temporary database file, for a scenario that restarts its
 * backend: the restart loses nothing, and devices reconnect to the same port. Its clock stands still at
 * the time the scenario starts (moved only by the scenario), so names and expiry do not depend on how
 * long a run takes. With `tls` it serves HTTPS and WSS, restarts included.
 */
async function backendOnFile(start: StartBackend, tls: EmbeddedTls | undefined): Promise<ScenarioBackend> {
  const clock: Clock = fixedClock(Date.now());
  const folder = mkdtempSync(join(tmpdir(), 'stagesim-scenario-'));
  const dbPath = join(folder, 'backend.db');
  const serving = tls ? { tls: tls.server } : {};
  let running = await start({ clock, dbPath, ...serving });
  // A restarted backend's store counts from 0 again: what the old one counted is carried over.
  let revisionsBefore = 0;
  const url = running.url;
  const ca = tls?.ca;
  return {
    url,
    admin: new AdminClient(url, undefined, ca),
    ...(ca ? { ca } : {}),
    embedded: true,
    devicesRevision: () => revisionsBefore + running.store.devicesRevision,
    async restart() {
      const port = running.port;
      revisionsBefore += running.store.devicesRevision + 1;
      await running.close();
      running = await start({ clock, dbPath, port, host: running.host, ...serving });
    },
    async setClock(epochMs) {
      clock.set(epochMs);
    },
    async close() {
      await running.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * The embedded backends of a run's scenarios. A scenario that restarts no backend is lent an in-memory
 * one: the one the scenario before it used, reset (it knows nothing, as a new one), or a new one, with
 * its clock standing at the time the scenario starts (moved only by the scenario), so names and expiry
 * do not depend on how long a run takes. A headless run of the library takes 0.71-0.97 of the time it
 * took with a backend started per scenario (bench README step 25). A scenario that restarts its backend
 * gets one of its own, on a file. With `tls` every backend serves HTTPS and WSS.
 */
export class EmbeddedBackends {
  private kept: { running: RunningBackend; clock: Clock } | null = null;

  constructor(private readonly tls?: EmbeddedTls) {}

  /**
   * A backend for one scenario; `start` starts one when none is kept (or the kept one cannot reset), and
   * `onLent` is told the admin console of a kept one lent again.
   */
  async lend(
    persistent: boolean,
    start: StartBackend = startBackend,
    onLent?: (consoleUrl: string) => void,
  ): Promise<ScenarioBackend> {
    if (persistent) return backendOnFile(start, this.tls);
    let kept = this.kept;
    this.kept = null;
    if (kept) {
      try {
        await kept.running.reset();
        kept.clock.set(Date.now());
        onLent?.(kept.running.consoleUrl);
      } catch {
        await kept.running.close().catch(() => undefined);
        kept = null;
      }
    }
    if (!kept) {
      const clock = fixedClock(Date.now());
      kept = { running: await start({ clock, ...(this.tls ? { tls: this.tls.server } : {}) }), clock };
    }
    const lent = kept;
    const ca = this.tls?.ca;
    return {
      url: lent.running.url,
      admin: new AdminClient(lent.running.url, undefined, ca),
      ...(ca ? { ca } : {}),
      embedded: true,
      devicesRevision: () => lent.running.store.devicesRevision,
      async restart() {
        throw new StagesimError(
          'BACKEND_NOT_RESTARTABLE',
          'this backend keeps its data in memory and cannot be restarted',
        );
      },
      async setClock(epochMs) {
        lent.clock.set(epochMs);
      },
      close: async () => {
        // Kept for the next scenario, which resets it first.
        this.kept = lent;
      },
    };
  }

  async close(): Promise<void> {
    await this.kept?.running.close();
    this.kept = null;
  }
}

/** A backend this run does not own: used as it is. */
export function externalBackend(url: string, adminKey?: string): ScenarioBackend {
  const refuse = (what: string) =>
    new StagesimError(
      'BACKEND_NOT_OWNED',
      `${what} needs a backend this run starts itself; run without --backend`,
    );
  return {
    url,
    admin: new AdminClient(url, adminKey),
    embedded: false,
    async restart() {
      throw refuse('restartBackend');
    },
    async setClock() {
      throw refuse('setClock');
    },
    async close() {},
  };
}
