/**
 * The webhook outbox (docs/architecture.md "Webhooks to the app"): one item per event an app
 * is owed — a reply or a status change — kept until it is delivered or given up. It is the
 * source of truth for retries: the queue only says "look now", and the checker finds what is
 * due on a sparse index (a Query per shard, never a Scan).
 *
 * Events of one subject (a message, a reply) share a partition and sort in the order they
 * must arrive (`1#submitted` before `2#delivered`); a deliverer takes a partition's head
 * only, under a lease, so a later event never overtakes an earlier one.
 */
import type { Item } from "./db";
import { ConditionFailed } from "./db";
import type { StoreContext } from "./items";
import { type Key, keys } from "./keys";

/** Due-index shards: the index's partitions take ~1,000 writes/s each. */
export const OUTBOX_SHARDS = 8;
/**
 * A fresh event is due for the checker's sweep only this long after it was written: the
 * queue's worker delivers it at once, and the sweep is the fallback if that never happened.
 */
export const OUTBOX_GRACE_MS = 120_000;
/** How long a deliverer holds an event: far past one attempt's bound (5 s). */
export const OUTBOX_LEASE_MS = 30_000;
/** Outbox items outlive the 24 h delivery window by a day, then TTL removes any left. */
const OUTBOX_TTL_S = 2 * 86400;

/** An event to deliver, as the producer writes it. */
export interface OutboxEvent {
  appId: string;
  /** `M<messageId>` or `R<replyId>`: what the events are about, ordered within it. */
  subject: string;
  /** The sort key: the event's place in its subject's order. */
  order: string;
  hook: "reply" | "status";
  /** `webhook-id`: the same on every attempt. */
  webhookId: string;
  /** The exact body, fixed when the event is made: every attempt sends the same bytes. */
  body: string;
  /** A reply's record, whose forward state is settled with the event. */
  reply?: Key;
}

/** An event as stored, with its delivery state. */
export interface OutboxItem extends OutboxEvent {
  partition: string;
  attempts: number;
  dueAt: string;
  createdAt: string;
  leaseUntil?: number;
}

/** The shard of a partition: a small stable hash, so one subject always lands on one shard. */
export function outboxShard(partition: string): number {
  let h = 0;
  for (let i = 0; i < partition.length; i++) h = (h * 31 + partition.charCodeAt(i)) >>> 0;
  return h % OUTBOX_SHARDS;
}

export const outboxPartition = (e: Pick<OutboxEvent, "appId" | "subject">) =>
  keys.outbox(e.appId, e.subject, "").pk;

function toOutbox(i: Item): OutboxItem {
  return {
    appId: String(i.appId),
    subject: String(i.subject),
    order: String(i.sk),
    hook: i.hook as OutboxItem["hook"],
    webhookId: String(i.webhookId),
    body: String(i.body),
    ...(i.reply ? { reply: i.reply as Key } : {}),
    partition: String(i.pk),
    attempts: Number(i.attempts ?? 0),
    dueAt: String(i.dueAt),
    createdAt: String(i.createdAt),
    ...(i.leaseUntil !== undefined ? { leaseUntil: Number(i.leaseUntil) } : {}),
  };
}

const dueKey = (dueAt: string, partition: string) => `${dueAt}#${partition}`;

export function outboxStore({ db }: StoreContext) {
  const itemKey = (o: Pick<OutboxItem, "partition" | "order">): Key => ({
    pk: o.partition,
    sk: o.order,
  });
  return {
    /** The items that queue `events` (written with other items in one BatchWriteItem). */
    outboxItems(events: OutboxEvent[], at: string): Item[] {
      const due = new Date(Date.parse(at) + OUTBOX_GRACE_MS).toISOString();
      return events.map((e) => {
        const key = keys.outbox(e.appId, e.subject, e.order);
        return {
          ...key,
          type: "Outbox",
          appId: e.appId,
          subject: e.subject,
          hook: e.hook,
          webhookId: e.webhookId,
          body: e.body,
          ...(e.reply ? { reply: e.reply } : {}),
          attempts: 0,
          dueAt: due,
          gsi1pk: keys.outboxDue(outboxShard(key.pk)),
          gsi1sk: dueKey(due, key.pk),
          createdAt: at,
          updatedAt: at,
          expiresAt: Math.floor(Date.parse(at) / 1000) + OUTBOX_TTL_S,
        };
      });
    },

    /** What is left to deliver for one subject, in order (a consistent Query of its partition). */
    async outboxOf(partition: string): Promise<OutboxItem[]> {
      const { items } = await db.query({ pk: partition, consistent: true, limit: 20 });
      return items.filter((i) => i.type === "Outbox").map(toOutbox);
    },

    /**
     * Partitions with an event due by `at`, oldest first within each shard: one Query per
     * shard of the sparse due index.
     */
    async dueOutbox(at: string, perShard = 100): Promise<string[]> {
      const pages = await Promise.all(
        Array.from({ length: OUTBOX_SHARDS }, (_, shard) =>
          db.query({
            index: "gsi1",
            pk: keys.outboxDue(shard),
            // Not "": DynamoDB refuses an empty key value; "0" sorts before every ISO time.
            skBetween: ["0", `${at}~`],
            limit: perShard,
          }),
        ),
      );
      return [...new Set(pages.flatMap((p) => p.items.map((i) => String(i.pk))))];
    },

    /**
     * Takes an event for one attempt: only if it still exists and nobody else holds it. False
     * when another deliverer has it, or has already finished it.
     */
    async claimOutbox(o: OutboxItem, now: number): Promise<boolean> {
      try {
        await db.update(itemKey(o), {
          update: "SET leaseUntil = :l",
          condition:
            "attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
          values: { ":l": now + OUTBOX_LEASE_MS, ":now": now },
        });
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /** Delivered or given up: the event leaves the outbox, and the next in its order may go. */
    async finishOutbox(o: OutboxItem): Promise<void> {
      await db.delete(itemKey(o));
    },

    /** Not acknowledged: due again at `dueAt`, lease released. */
    async retryOutbox(o: OutboxItem, attempts: number, dueAt: string, at: string): Promise<void> {
      await db.update(itemKey(o), {
        update:
          "SET attempts = :a, dueAt = :d, gsi1sk = :s, lastAttemptAt = :at, updatedAt = :at REMOVE leaseUntil",
        values: { ":a": attempts, ":d": dueAt, ":s": dueKey(dueAt, o.partition), ":at": at },
      });
    },

    /** Later events of a subject wait for its head: none is due before `dueAt`. */
    async deferOutbox(o: OutboxItem, dueAt: string): Promise<void> {
      if (o.dueAt >= dueAt) return;
      try {
        await db.update(itemKey(o), {
          update: "SET dueAt = :d, gsi1sk = :s",
          condition: "attribute_exists(pk)",
          values: { ":d": dueAt, ":s": dueKey(dueAt, o.partition) },
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },
  };
}
