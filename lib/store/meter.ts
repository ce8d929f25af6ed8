/**
 * Counts DynamoDB requests as the client sends them (an observer of lib/aws/client.ts), and the sequential
 * round trips they form: a round starts whenever a request starts with none in flight.
 * Used by tests and the benchmark to hold the send path to its budget.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AwsJsonClient } from "../aws/client";

export interface MeterSnapshot {
  requests: number;
  rounds: number;
  byCommand: Record<string, number>;
}

/**
 * Requests are counted per scope (a function name), so a send's figures are not mixed with
 * the status callbacks that arrive while it runs.
 */
const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
]);

export class RequestMeter {
  private readonly scope = new AsyncLocalStorage<string>();
  private inFlight = new Map<string, number>();
  private snapshots = new Map<string, MeterSnapshot>();

  /** Runs `fn` with its DynamoDB requests counted under `label`. */
  run<T>(label: string, fn: () => T): T {
    return this.scope.run(label, fn);
  }

  started(command: string): string {
    const label = this.scope.getStore() ?? "other";
    const s = this.snapshots.get(label) ?? { requests: 0, rounds: 0, byCommand: {} };
    this.snapshots.set(label, s);
    const flying = this.inFlight.get(label) ?? 0;
    if (flying === 0) s.rounds++;
    this.inFlight.set(label, flying + 1);
    s.requests++;
    s.byCommand[command] = (s.byCommand[command] ?? 0) + 1;
    return label;
  }

  ended(label: string): void {
    this.inFlight.set(label, (this.inFlight.get(label) ?? 1) - 1);
  }

  reset(): void {
    this.snapshots.clear();
    this.written.clear();
  }

  read(label: string): MeterSnapshot {
    const s = this.snapshots.get(label) ?? { requests: 0, rounds: 0, byCommand: {} };
    return { ...s, byCommand: { ...s.byCommand } };
  }

  private written = new Map<string, number>();

  /**
   * Writes that succeeded under `label` (what a refused request must not make); a conditional
   * write whose condition failed wrote nothing and is not counted.
   */
  writes(label: string): number {
    return this.written.get(label) ?? 0;
  }

  /** Counts a client's calls (outside its retries: one per call), named as the SDK names them. */
  attach(client: AwsJsonClient): void {
    client.observe((operation) => {
      const command = `${operation}Command`;
      const label = this.started(command);
      return (ok) => {
        if (ok && WRITES.has(command)) this.written.set(label, (this.written.get(label) ?? 0) + 1);
        this.ended(label);
      };
    });
  }
}
