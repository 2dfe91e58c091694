import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

/**
 * Headless Chromium driven over the DevTools protocol, for tests that must see a page the way a person's
 * browser does: console errors, uncaught exceptions, every request it makes, and a screenshot.
 *
 * It uses Debian's chromium (CI's .ci/run installs it the same way), a fresh profile per launch, and is
 * stopped by its own pid. A missing Chromium is an error that says how to install it: a test that silently
 * skipped would pass on machines where the report was never rendered.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';

const LAUNCH_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--remote-debugging-port=0',
];

type Json = Record<string, unknown>;

interface CdpEvent {
  method: string;
  params: Json;
  sessionId?: string;
}

/** One WebSocket to the browser; pages are flat sessions on it (Target.attachToTarget with flatten). */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: Json) => void; reject: (error: Error) => void; method: string }
  >();
  private readonly listeners = new Set<(event: CdpEvent) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(JSON.parse(String(data)) as Json));
    socket.on('close', () => {
      for (const call of this.pending.values())
        call.reject(new Error(`DevTools connection closed during ${call.method}`));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      socket.once('open', () => resolve(new CdpConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  onEvent(listener: (event: CdpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next event `method` on `sessionId`; register before triggering it. */
  waitFor(method: string, sessionId: string, timeoutMs = 15_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${method}`));
      }, timeoutMs);
      const off = this.onEvent((event) => {
        if (event.method !== method || event.sessionId !== sessionId) return;
        clearTimeout(timer);
        off();
        resolve(event.params);
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private receive(message: Json): void {
    if (typeof message.id === 'number') {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      const error = message.error as { message?: string } | undefined;
      if (error) call.reject(new Error(`${call.method}: ${error.message ?? 'DevTools error'}`));
      else call.resolve((message.result ?? {}) as Json);
      return;
    }
    if (typeof message.method === 'string') {
      const event = {
        method: message.method,
        params: (message.params ?? {}) as Json,
        sessionId: message.sessionId as string | undefined,
      };
      for (const listener of [...this.listeners]) listener(event);
    }
  }
}

export interface PageProblems {
  /** console.error/assert calls, uncaught exceptions and browser log errors (CSP, failed loads). */
  errors: string[];
  /** Every URL the page requested, its own included. */
  requests: string[];
  /** alert/confirm/prompt dialogs the page opened (each dismissed so the page goes on). */
  dialogs: string[];
}

/** One tab, with everything that went wrong in it recorded from the moment it opened. */
export class ChromiumPage {
  readonly problems: PageProblems = { errors: [], requests: [], dialogs: [] };

  constructor(
    private readonly cdp: CdpConnection,
    readonly sessionId: string,
  ) {
    cdp.onEvent((event) => {
      if (event.sessionId !== sessionId) return;
      this.record(event);
    });
  }

  send(method: string, params: Json = {}): Promise<Json> {
    return this.cdp.send(method, params, this.sessionId);
  }

  async goto(url: string, viewport = { width: 1280, height: 900 }): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', {
      ...viewport,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const loaded = this.cdp.waitFor('Page.loadEventFired', this.sessionId);
    const navigation = await this.send('Page.navigate', { url });
    if (typeof navigation.errorText === 'string')
      throw new Error(`could not open ${url}: ${navigation.errorText}`);
    await loaded;
    // Let scripts that run on load and the first paint finish before anyone looks.
    await this.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))',
    );
  }

  /** Evaluates `expression` in the page (awaiting a promise) and returns its JSON value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const details = result.exceptionDetails as
      { text?: string; exception?: { description?: string } } | undefined;
    if (details)
      throw new Error(`page threw: ${details.exception?.description ?? details.text ?? 'an exception'}`);
    return (result.result as { value?: T }).value as T;
  }

  /** A PNG of the viewport, or of the whole page with `fullPage`. */
  async screenshot(options: { fullPage?: boolean } = {}): Promise<Buffer> {
    const params: Json = { format: 'png' };
    if (options.fullPage) {
      const metrics = await this.send('Page.getLayoutMetrics');
      const size = metrics.cssContentSize as { width: number; height: number };
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 };
    }
    const shot = await this.send('Page.captureScreenshot', params);
    return Buffer.from(String(shot.data), 'base64');
  }

  private record({ method, params }: CdpEvent): void {
    if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
      const args = (params.args as { value?: unknown; description?: string }[] | undefined) ?? [];
      this.problems.errors.push(
        `console.${String(params.type)}: ${args.map((a) => a.description ?? String(a.value)).join(' ')}`,
      );
    } else if (method === 'Runtime.exceptionThrown') {
      const details = params.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.problems.errors.push(`uncaught: ${details.exception?.description ?? details.text ?? 'exception'}`);
    } else if (method === 'Log.entryAdded') {
      const entry = params.entry as { level: string; source: string; text: string; url?: string };
      if (entry.level === 'error')
        this.problems.errors.push(`${entry.source}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
    } else if (method === 'Network.requestWillBeSent') {
      this.problems.requests.push(String((params.request as { url: string }).url));
    } else if (method === 'Page.javascriptDialogOpening') {
      this.problems.dialogs.push(`${String(params.type)}: ${String(params.message)}`);
      void this.send('Page.handleJavaScriptDialog', { accept: false }).catch(() => undefined);
    }
  }
}

export class Chromium {
  private constructor(
    private readonly child: ChildProcess,
    private readonly cdp: CdpConnection,
    private readonly userDataDir: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async launch(options: { executable?: string; timeoutMs?: number } = {}): Promise<Chromium> {
    const executable = options.executable ?? CHROMIUM_PATH;
    if (!fs.existsSync(executable)) {
      throw new Error(
        `Chromium is not installed (${executable} is missing): install it with \`apt-get update && apt-get install -y chromium\``,
      );
    }
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagesim-chromium-'));
    const child = spawn(executable, [...LAUNCH_FLAGS, `--user-data-dir=${userDataDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      const port = await waitForDevToolsPort(child, userDataDir, options.timeoutMs ?? 20_000, () => stderr);
      const cdp = await CdpConnection.connect(port);
      return new Chromium(child, cdp, userDataDir);
    } catch (error) {
      await stopProcess(child);
      await removeProfile(userDataDir);
      throw error;
    }
  }

  async newPage(): Promise<ChromiumPage> {
    const { targetId } = (await this.cdp.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    const { sessionId } = (await this.cdp.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const page = new ChromiumPage(this.cdp, sessionId);
    await Promise.all(
      ['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'].map((method) => page.send(method)),
    );
    return page;
  }

  /**
   * Asks the browser to close (it then shuts its helper processes down in order), stops it by its own pid
   * if it does not, and removes its profile.
   */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await Promise.race([this.cdp.send('Browser.close').catch(() => undefined), delay(3000)]);
    await Promise.race([exited, delay(3000)]);
    this.cdp.close();
    await stopProcess(this.child);
    await removeProfile(this.userDataDir);
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Helper processes may still write to the profile for a moment after the browser process exits. */
async function removeProfile(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await delay(150);
    }
  }
}

/** Chromium writes "port\nbrowser-path" to DevToolsActivePort once it listens. */
async function waitForDevToolsPort(
  child: ChildProcess,
  userDataDir: string,
  timeoutMs: number,
  stderr: () => string,
): Promise<string> {
  const file = path.join(userDataDir, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Chromium exited (${child.exitCode ?? child.signalCode}) before DevTools started: ${stderr().trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const [port, browserPath] = content.split('\n');
    if (port && browserPath) return `ws://127.0.0.1:${port.trim()}${browserPath.trim()}`;
    await delay(50);
  }
  throw new Error(
    `Chromium did not open DevTools within ${timeoutMs}ms: ${stderr().trim().split('\n').slice(-3).join(' | ')}`,
  );
}

/** SIGTERM to this pid, SIGKILL if it has not exited after a grace period. */
async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // It may exit on its own between the check above and the signal; that is not an error.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) signal('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
