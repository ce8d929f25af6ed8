/**
 * Message records, their delivery status items (written once, by the first final report),
 * orphan reports and the index of timed-out sends.
 */
import type { MessageRecord, MessageStatusItem, StatusReport } from "../core/model";
import { type Adds, deliveryStats, sum } from "../rules/stats";
import { counterUpdate } from "../rules/usage";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** A record as callers see it: its delivery report applied; unreported after 72 h, expired. */
export function mergeStatus(
  record: MessageRecord,
  status: MessageStatusItem | undefined,
): MessageRecord {
  if (!status) return record;
  return {
    ...record,
    status: status.status,
    carrierCode: status.carrierCode,
    reportedAt: status.reportedAt,
    receivedAt: status.receivedAt,
    history: [
      ...record.history,
      { status: status.status, at: status.reportedAt, code: status.carrierCode },
    ],
  };
}

export function messagesStore({ db, ttl }: StoreContext) {
  const messageItem = (m: MessageRecord): Item => ({
    ...keys.message(m.id),
    type: "Message",
    gsi1pk: keys.messagesByPhone(m.appId, m.to),
    gsi1sk: `${m.createdAt}#${m.id}`,
    updatedAt: m.createdAt,
    expiresAt: ttl(m.createdAt),
    ...m,
  });

  /** The status items of many messages (to merge into a page of records). */
  const getStatuses = async (ids: string[]): Promise<Map<string, MessageStatusItem>> => {
    const items = await db.batchGet(ids.map((id) => keys.messageStatus(id)));
    return new Map(
      items.map((i) => [
        String(i.messageId),
        strip<MessageStatusItem>(i, "MessageStatus") as MessageStatusItem,
      ]),
    );
  };

  return {
    /** One number's records, newest first, one page (GSI by phone and time). */
    async listMessagesByPhone(
      appId: string,
      e164: string,
      range: [string, string],
      limit: number,
      startKey?: Item,
    ) {
      const page = await db.query({
        index: "gsi1",
        pk: keys.messagesByPhone(appId, e164),
        skBetween: range,
        newestFirst: true,
        limit,
        startKey,
      });
      const records = page.items.map((i) => strip<MessageRecord>(i, "Message") as MessageRecord);
      const statuses = records.length ? await getStatuses(records.map((r) => r.id)) : new Map();
      return {
        records: records.map((r) => mergeStatus(r, statuses.get(r.id))),
        lastKey: page.lastKey,
      };
    },

    /** Writes message records (batched) plus any extra items, e.g. the idempotent response. */
    async putMessages(records: MessageRecord[], extra: Item[] = []): Promise<void> {
      // A timed-out send is indexed by request and number: how a pulled status finds it.
      const unknowns = records
        .filter((r) => r.status === "unknown")
        .map((r) => ({
          ...keys.unknown(r.appId, r.requestId, r.to),
          type: "UnknownSend",
          messageId: r.id,
          provider: r.provider,
          createdAt: r.createdAt,
          updatedAt: r.createdAt,
          expiresAt: ttl(r.createdAt),
        }));
      await db.batchWrite([...records.map(messageItem), ...unknowns, ...extra]);
    },

    /**
     * A record with its delivery report merged in (the report lives beside the record, in
     * its own item, so it never waits for the record and is never overwritten by it).
     */
    async getMessage(id: string): Promise<MessageRecord | undefined> {
      const { items } = await db.query({ pk: keys.message(id).pk, consistent: true });
      const record = strip<MessageRecord>(
        items.find((i) => i.sk === keys.message(id).sk),
        "Message",
      );
      const status = strip<MessageStatusItem>(
        items.find((i) => i.sk === keys.messageStatus(id).sk),
        "MessageStatus",
      );
      return record && mergeStatus(record, status);
    },

    getStatuses,

    /**
     * Applies delivery reports, exactly once each, in two round trips: (1) each report's final
     * status is put only if none exists — the first final report wins, duplicates and late
     * copies change nothing — while the records are read in one batch; (2) statistics are
     * added for the winners, grouped per app and day, by the writes that won and only those.
     * A winner whose record does not exist yet is flagged an orphan; sweepOrphans counts it
     * once the record appears.
     */
    async applyReports(
      reports: { messageId: string; report: StatusReport }[],
      at: string,
    ): Promise<{ won: number; duplicates: number; orphans: number }> {
      const [records, wins] = await Promise.all([
        db.batchGet(reports.map((r) => keys.message(r.messageId))),
        Promise.all(
          reports.map(async ({ messageId, report }) => {
            const status = report.delivered ? "delivered" : "undelivered";
            try {
              await db.put(
                {
                  ...keys.messageStatus(messageId),
                  type: "MessageStatus",
                  messageId,
                  status,
                  carrierCode: report.carrierCode,
                  description: report.description,
                  provider: report.provider,
                  serial: report.serial,
                  reportedAt: at,
                  receivedAt: report.receivedAt ?? at,
                  createdAt: at,
                  updatedAt: at,
                  expiresAt: ttl(at),
                },
                { condition: "attribute_not_exists(pk)" },
              );
              return { messageId, status, carrierCode: report.carrierCode } as const;
            } catch (err) {
              if (!(err instanceof ConditionFailed)) throw err;
              return undefined;
            }
          }),
        ),
      ]);
      const byId = new Map(
        records.map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
      );
      const groups = new Map<string, { appId: string; day: string; adds: Adds[] }>();
      const orphans: string[] = [];
      for (const w of wins) {
        if (!w) continue;
        const record = byId.get(w.messageId);
        if (!record?.day) {
          orphans.push(w.messageId);
          continue;
        }
        const g = groups.get(`${record.appId}#${record.day}`) ?? {
          appId: record.appId,
          day: record.day,
          adds: [],
        };
        g.adds.push(deliveryStats(record, w.status, w.carrierCode));
        groups.set(`${record.appId}#${record.day}`, g);
      }
      await Promise.all([
        ...[...groups.values()].map((g) =>
          db.update(keys.usage(g.appId, g.day), counterUpdate(sum(...g.adds), {}, at)),
        ),
        ...orphans.map((id) =>
          db.update(keys.messageStatus(id), {
            update: "SET gsi1pk = :o, gsi1sk = :s",
            values: { ":o": keys.orphans(), ":s": `${at}#${id}` },
          }),
        ),
      ]);
      const won = wins.filter(Boolean).length;
      return { won, duplicates: reports.length - won, orphans: orphans.length };
    },

    /**
     * Counts the statistics of reports that beat their records, now that the records exist.
     * Clearing the flag is conditional, so each is counted once however many sweeps race.
     * Orphans whose record never appears are dropped after `giveUpAfterMs`.
     */
    async sweepOrphans(
      at: string,
      giveUpAfterMs = 72 * 3600_000,
    ): Promise<{ counted: number; dropped: number }> {
      const { items } = await db.query({ index: "gsi1", pk: keys.orphans(), limit: 500 });
      if (items.length === 0) return { counted: 0, dropped: 0 };
      const records = await db.batchGet(items.map((i) => keys.message(String(i.messageId))));
      const byId = new Map(
        records.map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
      );
      let counted = 0;
      let dropped = 0;
      await Promise.all(
        items.map(async (o) => {
          const id = String(o.messageId);
          const record = byId.get(id);
          const stale = Date.parse(at) - Date.parse(String(o.createdAt)) > giveUpAfterMs;
          if (!record?.day && !stale) return;
          try {
            await db.update(keys.messageStatus(id), {
              update: "REMOVE gsi1pk, gsi1sk",
              condition: "gsi1pk = :o",
              values: { ":o": keys.orphans() },
            });
          } catch (err) {
            if (err instanceof ConditionFailed) return; // another sweep took it
            throw err;
          }
          if (!record?.day) {
            dropped++;
            return;
          }
          counted++;
          const adds = deliveryStats(
            record,
            o.status as "delivered" | "undelivered",
            String(o.carrierCode),
          );
          await db.update(keys.usage(record.appId, record.day), counterUpdate(adds, {}, at));
        }),
      );
      return { counted, dropped };
    },

    /** Which message a timed-out send to `phone` in request `reference` became. */
    async findUnknown(
      appId: string,
      reference: string,
      phone: string,
    ): Promise<string | undefined> {
      const item = await db.get(keys.unknown(appId, reference, phone));
      return item ? String(item.messageId) : undefined;
    },

    async forgetUnknown(appId: string, reference: string, phone: string): Promise<void> {
      await db.delete(keys.unknown(appId, reference, phone));
    },
  };
}
