/**
 * Counts the device's work in flight and can hold new work back. Holding is how a test keeps a device
 * on a progress screen long enough to cut its power there, the way a slow network would.
 */
export class EffectGate {
  private inFlight = 0;
  private held = false;
  /** When set, only work of this name is held. */
  private heldName: string | undefined;
  private heldWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  /** Hold back new work: all of it, or only work of one name. */
  hold(name?: string): void {
    this.held = true;
    this.heldName = name;
  }

  release(): void {
    this.held = false;
    this.heldName = undefined;
    const waiters = this.heldWaiters;
    this.heldWaiters = [];
    waiters.forEach((resume) => resume());
  }

  /** Runs `work` once the gate is open; the device counts as busy until it ends. */
  async run<T>(work: () => Promise<T>, name?: string): Promise<T> {
    if (this.held && (this.heldName === undefined || this.heldName === name))
      await new Promise<void>((resume) => this.heldWaiters.push(resume));
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.notifyIdle();
    }
  }

  busy(): boolean {
    return this.inFlight > 0;
  }

  /** Resolves when nothing runs; held work does not count, so a held device is "settled". */
  idle(): Promise<void> {
    if (this.inFlight === 0)
      return new Promise((resolve) =>
        setImmediate(() => (this.inFlight === 0 ? resolve() : this.idleWaiters.push(resolve))),
      );
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    // Nobody waits: idle() checks for itself when it is called.
    if (this.idleWaiters.length === 0) return;
    // An outcome event may start the next effect synchronously; wait a turn before calling it idle.
    setImmediate(() => {
      if (this.inFlight !== 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    });
  }
}
