/**
 * The state every emulator has besides its vendor's own: option defaults, recorded messages
 * (GET /_control/messages), the fault mode, the reset epoch, the timers and callback pushes.
 *
 * Nothing vendor-specific lives in local/emulator-kit/: authentication, validation, wire
 * formats and codes stay in each emulator, which passes in whatever differs (content types,
 * acknowledgement rules, …).
 */
import { type FaultMode, isFaultMode } from "./faults";
import { type Push, pushWithRetries } from "./push";
import { Timers } from "./timers";

/** The options both emulators take besides their vendor's own. */
export interface CoreOptions {
  /** Delay before status reports are pushed, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

/**
 * What both emulator states share. Each emulator's state extends it with its vendor's
 * configuration and records, and overrides reset() to drop its own pending work.
 */
export class EmulatorCoreBase<Message extends { params: string[] }> {
  protected recorded: Message[] = [];
  private fault: FaultMode = "none";
  /** Bumped by reset(): retries of pushes started before a reset are dropped. */
  private resets = 0;
  /** Report timers (cleared by reset), held responses and push retries (cleared by close). */
  readonly timers: Timers;

  readonly reportDelayMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;

  /** name: "tencent-emulator", which starts every log line. */
  constructor(
    readonly name: string,
    options: CoreOptions,
  ) {
    this.reportDelayMs = options.reportDelayMs ?? 300;
    this.timers = new Timers(options.timeoutHoldMs ?? 20_000);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  setFault(mode: FaultMode): void {
    if (!isFaultMode(mode)) throw new Error(`unknown fault mode ${String(mode)}`);
    this.fault = mode;
    this.log(`${this.name}: fault mode ${mode}`);
  }

  get faultMode(): FaultMode {
    return this.fault;
  }

  /** The reset count so far; a push queued in one epoch is dropped in a later one. */
  get epoch(): number {
    return this.resets;
  }

  messages(): Message[] {
    return this.recorded.map((message) => ({ ...message, params: [...message.params] }));
  }

  /** Clear messages and the fault; drop scheduled reports and retries of earlier pushes. */
  reset(): void {
    this.recorded = [];
    this.fault = "none";
    this.resets += 1;
    this.timers.clearScheduled();
  }

  /** Stop all timers and pushes in flight. */
  close(): void {
    this.timers.close();
  }

  /**
   * POST a callback, retrying after each of `retryDelaysMs`. Resolves true once acknowledged;
   * false when no attempt was, the emulator closed, or (given the epoch it was queued in) a
   * reset came since.
   */
  push(push: Push, epoch?: number): Promise<boolean> {
    return pushWithRetries(this, push, () => epoch !== undefined && epoch !== this.resets);
  }
}
