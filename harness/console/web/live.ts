import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribeChanges, type ChangeKind } from './api';

type Listener = (kind: ChangeKind) => void;
const listeners = new Set<Listener>();
const liveListeners = new Set<(live: boolean) => void>();
let live = false;
let stop: (() => void) | null = null;

/** One change feed per page, shared by every view that wants to know. */
export function startLive(): void {
  stop?.();
  stop = subscribeChanges(
    (kind) => listeners.forEach((listener) => listener(kind)),
    (value) => {
      live = value;
      liveListeners.forEach((listener) => listener(value));
    },
  );
}

export function useLiveStatus(): boolean {
  const [value, setValue] = useState(live);
  useEffect(() => {
    liveListeners.add(setValue);
    return () => {
      liveListeners.delete(setValue);
    };
  }, []);
  return value;
}

/**
 * Runs `load` now, and again whenever the feed says `kind` changed; never two at once, and a change
 * that comes during a load runs it once more afterwards, so a busy fleet costs one request at a time.
 */
export function useLiveLoad(kind: ChangeKind, load: () => Promise<void>, deps: unknown[]): void {
  const state = useRef({ running: false, again: false, load });
  state.current.load = load;
  useEffect(() => {
    const run = async () => {
      if (state.current.running) {
        state.current.again = true;
        return;
      }
      state.current.running = true;
      try {
        do {
          state.current.again = false;
          await state.current.load();
        } while (state.current.again);
      } finally {
        state.current.running = false;
      }
    };
    void run();
    const listener: Listener = (changed) => {
      if (changed === kind) void run();
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, deps);
}
