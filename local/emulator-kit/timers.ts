/**
 * An emulator's timers, kept in one place so that reset() and close() can drop them: nothing
 * may fire, or hold a socket open, after an emulator is closed.
 */
import type { ServerResponse } from "node:http";

function clearAll(timers: Set<NodeJS.Timeout>): void {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
}

/**
 * One emulator's timers: scheduled work such as status reports (cleared by clearScheduled, i.e.
 * reset, and by close), held responses of the "timeout" fault (only cleared by close) and
 * retry waits (resolved false by close). close() also aborts pushes in flight via `signal`.
 */
export class Timers {
  private readonly scheduled = new Set<NodeJS.Timeout>();
  private readonly held = new Set<NodeJS.Timeout>();
  private readonly waiters = new Map<NodeJS.Timeout, (completed: boolean) => void>();
  private readonly shutdown = new AbortController();
  private isClosed = false;

  /** holdMs: how long the "timeout" fault holds a response before destroying the socket. */
  constructor(private readonly holdMs: number) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Aborted by close(). */
  get signal(): AbortSignal {
    return this.shutdown.signal;
  }

  /** Run fn after ms unless clearScheduled() or close() comes first. */
  schedule(ms: number, fn: () => void): void {
    this.start(this.scheduled, ms, fn);
  }

  private start(set: Set<NodeJS.Timeout>, ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      set.delete(timer);
      fn();
    }, ms);
    set.add(timer);
    return timer;
  }

  /** Resolves true after ms, or false at once if the emulator is closed meanwhile. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(timer);
        resolve(true);
      }, ms);
      this.waiters.set(timer, resolve);
    });
  }

  /** Hold a response (the "timeout" fault) and then destroy the socket without answering. */
  holdResponse(res: ServerResponse): void {
    const timer = this.start(this.held, this.holdMs, () => res.destroy());
    res.on("close", () => {
      clearTimeout(timer);
      this.held.delete(timer);
    });
  }

  /** Drop scheduled work (reset); held responses and retry waits carry on. */
  clearScheduled(): void {
    clearAll(this.scheduled);
  }

  close(): void {
    this.isClosed = true;
    this.shutdown.abort();
    clearAll(this.scheduled);
    clearAll(this.held);
    for (const [timer, resolve] of this.waiters) {
      clearTimeout(timer);
      resolve(false);
    }
    this.waiters.clear();
  }
}
