/**
 * The campaign worker's handler: an SQS event of chunk messages, answered with a partial
 * batch response, so one failed chunk is retried (after the visibility timeout) without
 * re-running the others, and a chunk that keeps failing goes to the dead-letter queue.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Deps } from "../core/deps";
import { type EngineDeps, workChunk } from "./engine";
import { type ChunkMessage, type Queue, queueFor } from "./queue";

export function makeWorker(deps: Deps, queue: Queue = queueFor(deps.config)) {
  const engine: EngineDeps = { ...deps, queue };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    await Promise.all(
      event.Records.map(async (r) => {
        let msg: ChunkMessage;
        try {
          msg = JSON.parse(r.body) as ChunkMessage;
        } catch {
          deps.log.error("campaign message unreadable", { messageId: r.messageId });
          return; // never retried: it can only fail again
        }
        try {
          const outcome = await workChunk(
            engine,
            msg,
            Number(r.attributes?.ApproximateReceiveCount ?? 1),
          );
          deps.log.info("campaign chunk", { ...msg, outcome });
        } catch (err) {
          deps.log.warn("campaign chunk failed", {
            ...msg,
            err: err as Error,
            receiveCount: r.attributes?.ApproximateReceiveCount,
          });
          failures.push({ itemIdentifier: r.messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

export const makeHandler = (deps: Deps) => makeWorker(deps);
