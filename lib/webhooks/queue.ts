/**
 * The webhook queue: a message names outbox partitions to look at now (lib/store/outbox.ts).
 * It carries no event — the outbox does — so a lost, late or repeated message changes only
 * how soon an event goes, never whether or how often: the checker's sweep finds the rest.
 */
import type { Config } from "../config";
import type { Deps } from "../core/deps";
import { type Queue, sqsQueue } from "../core/sqs";

export interface WakeMessage {
  /** Outbox partitions (`HOOK#<app>#<subject>`), at most PARTITIONS_PER_MESSAGE. */
  outbox: string[];
}

/** Partitions per queue message: one worker invocation's share stays bounded. */
export const PARTITIONS_PER_MESSAGE = 10;

let shared: { url?: string; queue: Queue<WakeMessage> } | undefined;
function queueFor(config: Config): Queue<WakeMessage> {
  if (!shared || shared.url !== config.SMSGATE_WEBHOOK_QUEUE_URL)
    shared = {
      url: config.SMSGATE_WEBHOOK_QUEUE_URL,
      queue: sqsQueue<WakeMessage>(
        config,
        config.SMSGATE_WEBHOOK_QUEUE_URL,
        () => new Error("SMSGATE_WEBHOOK_QUEUE_URL is not set"),
      ),
    };
  return shared.queue;
}

/**
 * Asks the webhook worker to deliver these partitions now (or after `delaySeconds`). Awaited
 * by the caller before it answers — a Lambda is frozen once it has — and never throws: a
 * failed or unconfigured queue leaves the events to the checker's sweep.
 */
export async function wakeOutbox(
  deps: Pick<Deps, "config" | "log">,
  partitions: string[],
  delaySeconds = 0,
): Promise<void> {
  const unique = [...new Set(partitions)];
  if (unique.length === 0 || !deps.config.SMSGATE_WEBHOOK_QUEUE_URL) return;
  const messages: { body: WakeMessage; delaySeconds: number }[] = [];
  for (let i = 0; i < unique.length; i += PARTITIONS_PER_MESSAGE)
    messages.push({ body: { outbox: unique.slice(i, i + PARTITIONS_PER_MESSAGE) }, delaySeconds });
  try {
    await queueFor(deps.config).send(messages);
  } catch (err) {
    deps.log.warn("webhook queue: not woken, the sweep will deliver", {
      partitions: unique.length,
      err: err as Error,
    });
  }
}
