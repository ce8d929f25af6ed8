/** Replies and their forwards to the app's webhook. */
import type { StoredReply } from "../core/model";
import type { Item } from "./db";
import { ConditionFailed } from "./db";
import { type StoreContext, strip } from "./items";
import { type Key, keys } from "./keys";

export function repliesStore({ db, ttl }: StoreContext) {
  return {
    /** One number's replies, newest first. */
    async listReplies(appId: string, e164: string, limit = 50): Promise<StoredReply[]> {
      const { items } = await db.query({
        pk: keys.replyPartition(appId, e164),
        newestFirst: true,
        limit,
      });
      return items.map((i) => strip<StoredReply>(i, "Reply") as StoredReply);
    },

    /**
     * The app that last texted `e164` through a vendor account under `sign` (written with the
     * records, lib/store/messages.ts); without a signature, the latest under any.
     */
    async lastSender(account: string, e164: string, sign?: string): Promise<string | undefined> {
      if (sign) {
        const item = await db.get(keys.lastSent(account, e164, sign), false);
        if (item) return String(item.appId);
      }
      const { items } = await db.query({ pk: keys.lastSentPartition(account, e164), limit: 50 });
      const newest = items.sort((a, b) => String(b.at).localeCompare(String(a.at)))[0];
      return newest ? String(newest.appId) : undefined;
    },

    /**
     * Claims a reply's fingerprint (number, signature, text, the vendor's time) with a
     * conditional put: false when the same reply was already taken in — a vendor retry.
     */
    async claimReply(appId: string, e164: string, fingerprint: string, at: string) {
      try {
        await db.put(
          {
            ...keys.replySeen(appId, e164, fingerprint),
            type: "ReplySeen",
            createdAt: at,
            updatedAt: at,
            expiresAt: ttl(at),
          },
          { condition: "attribute_not_exists(pk)" },
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /**
     * One page of an app's replies, newest first (GSI gsi2 by app and time), or of one
     * number's (its own partition) when `phone` is given; both sort by "<receivedAt>#<id>".
     */
    async searchReplies(
      appId: string,
      phone: string | undefined,
      range: [string, string],
      limit: number,
      startKey?: Item,
    ) {
      const page = await db.query({
        ...(phone ? {} : { index: "gsi2" as const }),
        pk: phone ? keys.replyPartition(appId, phone) : keys.repliesOfApp(appId),
        skBetween: range,
        newestFirst: true,
        limit,
        startKey,
      });
      return {
        replies: page.items.map((i) => strip<StoredReply>(i, "Reply") as StoredReply),
        lastKey: page.lastKey,
      };
    },

    /**
     * A reply's item, to be written with others in one BatchWriteItem (putBatch); with
     * `forward`, its forward state starts `pending` (the event itself is in the outbox).
     */
    replyItem(reply: StoredReply, forward: boolean): Item {
      return {
        ...keys.reply(reply.appId, reply.phone, reply.receivedAt, reply.id),
        type: "Reply",
        ...reply,
        gsi2pk: keys.repliesOfApp(reply.appId),
        gsi2sk: `${reply.receivedAt}#${reply.id}`,
        ...(forward ? { forward: { state: "pending", attempts: 0 } } : {}),
        updatedAt: reply.createdAt,
        expiresAt: ttl(reply.createdAt),
      };
    },

    /** Writes items of any entity in BatchWriteItems of 25 (unprocessed ones retried). */
    async putBatch(items: Item[]): Promise<void> {
      if (items.length) await db.batchWrite(items);
    },

    /** A reply's forward is over: delivered, or given up after 24 h. */
    async markForward(key: Key, state: "delivered" | "failed", at: string): Promise<void> {
      await db
        .update(key, {
          update: "SET #f = :f, updatedAt = :at",
          condition: "attribute_exists(pk)",
          names: { "#f": "forward" },
          values: { ":f": { state, lastAttemptAt: at }, ":at": at },
        })
        .catch((err) => {
          if (!(err instanceof ConditionFailed)) throw err; // the reply expired meanwhile
        });
    },

    /** Replies queued for forwarding before the outbox existed (a sparse index). */
    async legacyForwards(limit = 100): Promise<StoredReply[]> {
      const { items } = await db.query({ index: "gsi1", pk: keys.pendingForwards(), limit });
      return items.map((i) => strip<StoredReply>(i, "Reply") as StoredReply);
    },

    /** A legacy queued reply has moved to the outbox: off the old index. */
    async clearLegacyForward(r: StoredReply): Promise<void> {
      await db.update(keys.reply(r.appId, r.phone, r.receivedAt, r.id), {
        update: "REMOVE gsi1pk, gsi1sk",
      });
    },
  };
}
