/**
 * The webhook worker's handler: an SQS event of wake-up messages, each naming outbox
 * partitions (lib/webhooks/queue.ts). It drains them through the one delivery machinery
 * (forward.ts), 16 at a time. An app that does not acknowledge is not a failure here — the
 * outbox records the attempt and its backoff, and the checker's sweep retries — so a message
 * fails (and is redelivered by SQS) only when the table could not be read or written.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Deps } from "../core/deps";
import type { App } from "../core/model";
import { type WakeMessage, wakeOutbox } from "../webhooks/queue";
import { drainPartitions } from "./forward";

/** One attempt's bound in the worker: the same as the sweep's. */
const ATTEMPT_MS = 5000;
/** A partition whose head another deliverer holds is looked at again this much later. */
const BUSY_RETRY_SECONDS = 2;

export function makeWorker(deps: Deps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const owners = new Map<string, string[]>();
    for (const r of event.Records) {
      let msg: WakeMessage;
      try {
        msg = JSON.parse(r.body) as WakeMessage;
      } catch {
        deps.log.error("webhook message unreadable", { messageId: r.messageId });
        continue; // never retried: it can only fail again (the sweep finds the events)
      }
      for (const p of Array.isArray(msg.outbox) ? msg.outbox : [])
        if (typeof p === "string" && p.startsWith("HOOK#"))
          owners.set(p, [...(owners.get(p) ?? []), r.messageId]);
    }
    const result = await drainPartitions(deps, [...owners.keys()], {
      timeoutMs: ATTEMPT_MS,
      apps: new Map<string, Promise<App | undefined>>(),
    });
    await wakeOutbox(deps, result.busy, BUSY_RETRY_SECONDS);
    const failed = new Set(result.errors.flatMap((e) => owners.get(e.partition) ?? []));
    for (const e of result.errors)
      deps.log.warn("webhook partition failed", { partition: e.partition, err: e.err as Error });
    deps.log.info("webhooks", {
      partitions: owners.size,
      delivered: result.delivered,
      notAcknowledged: result.failed,
      gaveUp: result.gaveUp,
      busy: result.busy.length,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const makeHandler = (deps: Deps) => makeWorker(deps);
