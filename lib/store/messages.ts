/**
 * Message records, their delivery status items (written once, by the first final report),
 * orphan reports and the index of timed-out sends.
 */
import type { App, MessageRecord, MessageStatusItem, StatusReport } from "../core/model";
import { type Adds, deliveryStats, sum } from "../rules/stats";
import { counterUpdate } from "../rules/usage";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** Where reports for a message may come from, and the binding they came through. */
export interface ReportSource {
  /** The callback token's app: read with the records, to know the token's binding. */
  appId?: string;
  bindingOf(app: App | undefined): string | undefined;
}

/** Orphan reports kept per binding and day, at most; they live 72 h (the report window). */
export const MAX_ORPHANS_PER_DAY = 100_000;
const ORPHAN_TTL_S = 72 * 3600;
/** Vendor strings are bounded before they are stored (codes, serials; descriptions). */
const MAX_FIELD = 64;
const MAX_TEXT = 256;

/** Whether a report through `binding` naming `phone` may speak for this record. */
function sentThrough(record: MessageRecord, binding: string, phone: string): boolean {
  // Records made before bindings were kept: the provider must match instead.
  const same = record.binding
    ? record.binding === binding
    : binding.startsWith(`${record.provider}:`);
  return same && record.to === phone;
}

/** A stored status speaks for its record only if it came through the record's binding. */
function reportedOn(record: MessageRecord, status: MessageStatusItem): boolean {
  if (status.binding === undefined || status.phone === undefined) return true;
  return sentThrough(record, status.binding, status.phone);
}

/** A record as callers see it: its delivery report applied; unreported after 72 h, expired. */
export function mergeStatus(
  record: MessageRecord,
  status: MessageStatusItem | undefined,
): MessageRecord {
  if (!status || !reportedOn(record, status)) return record;
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
     * Applies delivery reports that came through one binding, exactly once each, in three
     * round trips: (1) the records (and the token's app) are read in one batch; (2) a report
     * is written only where its record went through that binding to that number — the first
     * final report wins, duplicates and late copies change nothing — and a report whose
     * record does not exist yet is kept as an orphan of that binding, within a daily budget;
     * (3) statistics are added for the winners, per app and day, by the writes that won.
     * Reports for another binding's or another number's messages are ignored, never applied.
     */
    async applyReports(
      reports: { messageId: string; report: StatusReport }[],
      at: string,
      source: ReportSource,
    ): Promise<{ won: number; duplicates: number; orphans: number; ignored: number }> {
      const appKey = source.appId ? [keys.app(source.appId)] : [];
      const items = await db.batchGet([
        ...appKey,
        ...reports.map((r) => keys.message(r.messageId)),
      ]);
      const app = source.appId
        ? strip<App>(
            items.find((i) => i.type === "App"),
            "App",
          )
        : undefined;
      const binding = source.bindingOf(app);
      const byId = new Map(
        items
          .filter((i) => i.type === "Message")
          .map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
      );
      const matched: { messageId: string; report: StatusReport; record: MessageRecord }[] = [];
      const orphans: { messageId: string; report: StatusReport }[] = [];
      let ignored = 0;
      for (const r of reports) {
        const record = byId.get(r.messageId);
        if (!binding) ignored++;
        else if (!record) orphans.push(r);
        else if (sentThrough(record, binding, r.report.phone)) matched.push({ ...r, record });
        else ignored++;
      }
      // Orphans are bounded per binding and day, so a leaked token cannot fill the table.
      const orphanBudget =
        binding && orphans.length > 0
          ? db
              .update(keys.orphanBudget(binding, at.slice(0, 10)), {
                update: "ADD #c :n SET expiresAt = if_not_exists(expiresAt, :exp)",
                condition: "attribute_not_exists(#c) OR #c <= :room",
                names: { "#c": "count" },
                values: {
                  ":n": orphans.length,
                  ":room": MAX_ORPHANS_PER_DAY - orphans.length,
                  ":exp": Math.floor(Date.parse(at) / 1000) + 2 * 86400,
                },
              })
              .then(
                () => true,
                (err) => {
                  if (err instanceof ConditionFailed) return false;
                  throw err;
                },
              )
          : Promise.resolve(false);
      const statusItem = (messageId: string, report: StatusReport) => ({
        ...keys.messageStatus(messageId),
        type: "MessageStatus",
        messageId,
        status: (report.delivered ? "delivered" : "undelivered") as "delivered" | "undelivered",
        carrierCode: report.carrierCode.slice(0, MAX_FIELD),
        ...(report.description ? { description: report.description.slice(0, MAX_TEXT) } : {}),
        provider: report.provider,
        serial: report.serial.slice(0, MAX_FIELD * 2),
        binding,
        phone: report.phone.slice(0, MAX_FIELD),
        reportedAt: at,
        receivedAt: report.receivedAt ?? at,
        createdAt: at,
        updatedAt: at,
      });
      const put = async (item: Item, condition: string, values?: Item) => {
        try {
          await db.put(item, { condition, names: { "#b": "binding", "#p": "phone" }, values });
          return true;
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          return false;
        }
      };
      const [wins, keptOrphans] = await Promise.all([
        Promise.all(
          matched.map(async ({ messageId, report, record }) => {
            const item = {
              ...statusItem(messageId, report),
              expiresAt: ttl(at),
              // Queued for PullSmsSendStatus, each pulled once (lib/store/pull.ts).
              gsi1pk: keys.pullQueue(record.appId),
              gsi1sk: `${at}#${messageId}`,
              ...(record.context ? { context: record.context } : {}),
            };
            // A status a foreign binding or number left while the record did not exist yet
            // never blocks the real one.
            const won = await put(item, "attribute_not_exists(pk) OR #b <> :b OR #p <> :p", {
              ":b": binding,
              ":p": record.to,
            });
            return won ? { record, status: item.status, carrierCode: item.carrierCode } : undefined;
          }),
        ),
        orphanBudget.then(async (allowed) => {
          if (!allowed) return 0;
          const kept = await Promise.all(
            orphans.map(({ messageId, report }) =>
              put(
                {
                  ...statusItem(messageId, report),
                  gsi1pk: keys.orphans(),
                  gsi1sk: `${at}#${messageId}`,
                  // Kept for the vendor's report window only, unless its record appears.
                  expiresAt: Math.floor(Date.parse(at) / 1000) + ORPHAN_TTL_S,
                },
                "attribute_not_exists(pk)",
              ),
            ),
          );
          return kept.filter(Boolean).length;
        }),
      ]);
      const groups = new Map<string, { appId: string; day: string; adds: Adds[] }>();
      for (const w of wins) {
        if (!w?.record.day) continue;
        const key = `${w.record.appId}#${w.record.day}`;
        const g = groups.get(key) ?? { appId: w.record.appId, day: w.record.day, adds: [] };
        g.adds.push(deliveryStats(w.record, w.status, w.carrierCode));
        groups.set(key, g);
      }
      await Promise.all(
        [...groups.values()].map((g) =>
          db.update(keys.usage(g.appId, g.day), counterUpdate(sum(...g.adds), {}, at)),
        ),
      );
      const won = wins.filter(Boolean).length;
      return {
        won,
        duplicates: matched.length - won + (orphans.length - keptOrphans),
        orphans: keptOrphans,
        ignored,
      };
    },

    /**
     * Counts the statistics of reports that beat their records, now that the records exist
     * and went through the orphan's binding to its number (others are dropped, never applied).
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
          const adopt = Boolean(
            record?.day &&
              (o.binding === undefined || sentThrough(record, String(o.binding), String(o.phone))),
          );
          try {
            await db.update(keys.messageStatus(id), {
              update: adopt
                ? "REMOVE gsi1pk, gsi1sk SET expiresAt = :exp"
                : "REMOVE gsi1pk, gsi1sk",
              condition: "gsi1pk = :o",
              values: { ":o": keys.orphans(), ...(adopt ? { ":exp": ttl(at) } : {}) },
            });
          } catch (err) {
            if (err instanceof ConditionFailed) return; // another sweep took it
            throw err;
          }
          if (!adopt || !record?.day) {
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
