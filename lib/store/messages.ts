/**
 * Message records, their delivery status items (written once, by the first final report),
 * orphan reports and the index of timed-out sends.
 */
import type {
  App,
  MessageRecord,
  MessageStatusItem,
  StatusReport,
  StatusTransition,
} from "../core/model";
import { type Adds, deliveryStats, sum } from "../rules/stats";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { type Key, keys } from "./keys";
import { statsStore } from "./stats";

/** An open unknown send that a report was found to speak for. */
interface OpenUnknown {
  messageId: string;
  phone: string;
  reference: string;
  key: Key;
}

/** Where reports for a message may come from, and the binding they came through. */
export interface ReportSource {
  /** The callback token's app: read with the records, to know the token's binding. */
  appId?: string;
  bindingOf(app: App | undefined): string | undefined;
}

/** Orphan reports kept per binding and day, at most; they live 72 h (the report window). */
export const MAX_ORPHANS_PER_DAY = 100_000;
const ORPHAN_TTL_S = 72 * 3600;
/** The vendors' report window: an outcome still unknown after it is expired (docs/api.md). */
export const REPORT_WINDOW_MS = 72 * 3600_000;
/**
 * A report that echoes no request id finds an unknown send by its number alone, and only
 * this long after it arrived: by then a normal send's own record exists (functions end
 * within seconds), so the report cannot belong to a send still being committed.
 */
export const BY_NUMBER_AFTER_MS = 2 * 60_000;
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

export function messagesStore(ctx: StoreContext) {
  const { db, ttl } = ctx;
  const messageItem = (m: MessageRecord): Item => ({
    ...keys.message(m.id),
    type: "Message",
    gsi1pk: keys.messagesByPhone(m.appId, m.to),
    gsi1sk: `${m.createdAt}#${m.id}`,
    gsi2pk: keys.messagesOfApp(m.appId),
    gsi2sk: `${m.createdAt}#${m.id}`,
    // Sparse: only a campaign's records are in its index.
    ...(m.campaign
      ? { gsi3pk: keys.messagesOfCampaign(m.appId, m.campaign), gsi3sk: `${m.createdAt}#${m.id}` }
      : {}),
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

  /**
   * The open unknown sends that reports through `binding` speak for: by the request id each
   * echoes plus its number (one BatchGetItem), or — with `byNumber`, for a report that
   * echoes nothing — by its number alone when exactly one unknown send to it is open.
   */
  const findUnknowns = async (
    binding: string,
    wanted: { phone: string; reference?: string }[],
    byNumber = false,
  ): Promise<OpenUnknown[]> => {
    const exact = wanted.filter((w) => w.reference);
    const items = exact.length
      ? await db.batchGet(exact.map((w) => keys.unknown(binding, w.phone, w.reference as string)))
      : [];
    const out: OpenUnknown[] = items
      .filter((i) => i.type === "UnknownSend")
      .map((i) => ({
        messageId: String(i.messageId),
        phone: String(i.pk).slice(keys.unknownPartition(binding, "").length),
        reference: String(i.sk),
        key: { pk: String(i.pk), sk: String(i.sk) },
      }));
    if (byNumber)
      for (const w of wanted.filter((x) => !x.reference)) {
        const { items: open } = await db.query({
          pk: keys.unknownPartition(binding, w.phone),
          limit: 2,
        });
        const only = open.length === 1 ? open[0] : undefined;
        if (only)
          out.push({
            messageId: String(only.messageId),
            phone: w.phone,
            reference: String(only.sk),
            key: { pk: String(only.pk), sk: String(only.sk) },
          });
      }
    return out;
  };

  const stats = statsStore(ctx);
  /** Adds delivery statistics on the shard the message was sent through (hot apps). */
  const addDeliveryStats = (appId: string, day: string, adds: Adds, at: string, shard = 0) =>
    stats.addStats(appId, day, adds, at, shard);

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

    /**
     * One page of an app's records, newest first (GSI gsi2 by app and time), or of one
     * number's (gsi1) when `phone` is given, with each record's index key so that a caller
     * filtering the page can resume right after any record it looked at.
     */
    async searchMessages(
      appId: string,
      phone: string | undefined,
      range: [string, string],
      limit: number,
      startKey?: Item,
      campaign?: string,
    ) {
      // One number's records; else one campaign's (its own sparse index); else the app's.
      const index = phone ? "gsi1" : campaign ? "gsi3" : "gsi2";
      const page = await db.query({
        index,
        pk: phone
          ? keys.messagesByPhone(appId, phone)
          : campaign
            ? keys.messagesOfCampaign(appId, campaign)
            : keys.messagesOfApp(appId),
        skBetween: range,
        newestFirst: true,
        limit,
        startKey,
      });
      const statuses = page.items.length
        ? await getStatuses(page.items.map((i) => String(i.id)))
        : new Map();
      return {
        rows: page.items.map((i) => {
          const r = strip<MessageRecord>(i, "Message") as MessageRecord;
          const key: Item = { pk: i.pk, sk: i.sk, [`${index}pk`]: i[`${index}pk`] };
          key[`${index}sk`] = i[`${index}sk`];
          return { record: mergeStatus(r, statuses.get(r.id)), key };
        }),
        lastKey: page.lastKey,
      };
    },

    /**
     * Writes message records (batched) plus any extra items, e.g. the idempotent response.
     * An `unknown` record is indexed by binding, number and request id (how a pushed or
     * pulled report finds it); every record the vendor may have delivered notes which app
     * last texted that number under that signature (how account-level replies are routed).
     */
    async putMessages(
      records: MessageRecord[],
      extra: Item[] = [],
      deletes: Key[] = [],
    ): Promise<void> {
      const unknowns = records
        .filter((r) => r.status === "unknown")
        .map((r) => ({
          ...keys.unknown(r.binding ?? `${r.provider}:default`, r.to, r.requestId),
          type: "UnknownSend",
          gsi1pk: keys.openUnknowns(),
          gsi1sk: `${r.createdAt}#${r.id}`,
          messageId: r.id,
          appId: r.appId,
          provider: r.provider,
          createdAt: r.createdAt,
          updatedAt: r.createdAt,
          expiresAt: ttl(r.createdAt),
        }));
      const lastSent = records
        .filter((r) => r.status === "submitted" || r.status === "unknown")
        .map((r) => ({
          ...keys.lastSent(r.provider, r.to, r.sign ?? "*"),
          type: "LastSent",
          appId: r.appId,
          messageId: r.id,
          sign: r.sign ?? "*",
          at: r.createdAt,
          createdAt: r.createdAt,
          updatedAt: r.createdAt,
          expiresAt: ttl(r.createdAt),
        }));
      await db.batchWrite(
        [...records.map(messageItem), ...unknowns, ...lastSent, ...extra],
        deletes,
      );
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
    ): Promise<{
      won: number;
      duplicates: number;
      orphans: number;
      ignored: number;
      reconciled: number;
      /** The status changes won here (one per message, however often it was reported). */
      transitions: StatusTransition[];
      /** The token's app, when the source named one. */
      app?: App;
    }> {
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
      // A report with no record under its serial may be for a timed-out send, whose record
      // has our own id: the request id it echoes and its number find that send.
      const resolved = new Map<string, OpenUnknown>();
      if (binding) {
        const wanted = reports.filter((r) => !byId.has(r.messageId) && r.report.reference);
        const found = await findUnknowns(
          binding,
          wanted.map((r) => r.report),
        );
        const records = found.length
          ? await db.batchGet(found.map((u) => keys.message(u.messageId)))
          : [];
        for (const item of records) {
          const record = strip<MessageRecord>(item, "Message") as MessageRecord;
          byId.set(record.id, record);
        }
        for (const r of wanted) {
          const u = found.find(
            (f) => f.reference === r.report.reference && f.phone === r.report.phone,
          );
          if (u && byId.has(u.messageId)) resolved.set(r.messageId, u);
        }
      }
      const matched: {
        messageId: string;
        report: StatusReport;
        record: MessageRecord;
        unknown?: OpenUnknown;
      }[] = [];
      const orphans: { messageId: string; report: StatusReport }[] = [];
      let ignored = 0;
      for (const original of reports) {
        const unknown = resolved.get(original.messageId);
        const r = unknown ? { ...original, messageId: unknown.messageId, unknown } : original;
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
        ...(report.reference ? { reference: report.reference.slice(0, MAX_FIELD * 2) } : {}),
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
          matched.map(async ({ messageId, report, record, unknown }) => {
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
            // Reconciled or not, the timed-out send is no longer waiting for its outcome.
            if (unknown) await db.delete(unknown.key);
            return won
              ? { record, status: item.status, carrierCode: item.carrierCode, unknown }
              : undefined;
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
      const groups = new Map<string, { appId: string; day: string; shard: number; adds: Adds[] }>();
      for (const w of wins) {
        if (!w?.record.day) continue;
        const shard = w.record.shard ?? 0;
        const key = `${w.record.appId}#${w.record.day}#${shard}`;
        const g = groups.get(key) ?? { appId: w.record.appId, day: w.record.day, shard, adds: [] };
        g.adds.push(deliveryStats(w.record, w.status, w.carrierCode));
        groups.set(key, g);
      }
      await Promise.all(
        [...groups.values()].map((g) =>
          addDeliveryStats(g.appId, g.day, sum(...g.adds), at, g.shard),
        ),
      );
      const won = wins.filter(Boolean).length;
      return {
        app,
        transitions: wins.flatMap((w) =>
          w ? [{ record: w.record, status: w.status, code: w.carrierCode, at }] : [],
        ),
        won,
        duplicates: matched.length - won + (orphans.length - keptOrphans),
        orphans: keptOrphans,
        ignored,
        reconciled: wins.filter((w) => w?.unknown).length,
      };
    },

    /**
     * Counts the statistics of reports that beat their records, now that the records exist
     * and went through the orphan's binding to its number (others are dropped, never applied).
     * A report whose serial names no record but which is for a timed-out send — found by the
     * request id it echoed, or by its number alone after BY_NUMBER_AFTER_MS — becomes that
     * send's final status. Clearing the flag is conditional, so each is counted once however
     * many sweeps race. Orphans whose record never appears are dropped after `giveUpAfterMs`.
     */
    async sweepOrphans(
      at: string,
      giveUpAfterMs = REPORT_WINDOW_MS,
    ): Promise<{
      counted: number;
      dropped: number;
      reconciled: number;
      transitions: StatusTransition[];
    }> {
      const { items } = await db.query({ index: "gsi1", pk: keys.orphans(), limit: 500 });
      const transitions: StatusTransition[] = [];
      if (items.length === 0) return { counted: 0, dropped: 0, reconciled: 0, transitions };
      const records = await db.batchGet(items.map((i) => keys.message(String(i.messageId))));
      const byId = new Map(
        records.map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
      );
      // Orphans with no record under their serial: perhaps timed-out sends, per binding.
      const adoptions = new Map<string, { unknown: OpenUnknown; record: MessageRecord }>();
      const byBinding = new Map<string, Item[]>();
      for (const o of items)
        if (!byId.has(String(o.messageId)) && o.binding !== undefined) {
          const old = Date.parse(at) - Date.parse(String(o.createdAt)) >= BY_NUMBER_AFTER_MS;
          if (!o.reference && !old) continue;
          byBinding.set(String(o.binding), [...(byBinding.get(String(o.binding)) ?? []), o]);
        }
      for (const [binding, list] of byBinding) {
        const found = await findUnknowns(
          binding,
          list.map((o) => ({
            phone: String(o.phone),
            reference: o.reference ? String(o.reference) : undefined,
          })),
          true,
        );
        if (found.length === 0) continue;
        const recs = await db.batchGet(found.map((u) => keys.message(u.messageId)));
        const recById = new Map(
          recs.map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
        );
        for (const o of list) {
          const u = found.find(
            (f) =>
              f.phone === String(o.phone) &&
              (o.reference ? f.reference === String(o.reference) : true),
          );
          const record = u && recById.get(u.messageId);
          if (u && record?.day && sentThrough(record, binding, String(o.phone)))
            adoptions.set(String(o.messageId), { unknown: u, record });
        }
      }
      let counted = 0;
      let dropped = 0;
      let reconciled = 0;
      await Promise.all(
        items.map(async (o) => {
          const id = String(o.messageId);
          const adoption = adoptions.get(id);
          if (adoption) {
            // Claim the orphan first (conditional delete), then give its status to the send.
            try {
              await db.delete(keys.messageStatus(id), {
                condition: "gsi1pk = :o",
                values: { ":o": keys.orphans() },
              });
            } catch (err) {
              if (err instanceof ConditionFailed) return;
              throw err;
            }
            const { record, unknown } = adoption;
            const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...status } = o;
            try {
              await db.put(
                {
                  ...status,
                  ...keys.messageStatus(record.id),
                  messageId: record.id,
                  updatedAt: at,
                  expiresAt: ttl(record.createdAt),
                },
                { condition: "attribute_not_exists(pk)" },
              );
            } catch (err) {
              if (!(err instanceof ConditionFailed)) throw err;
              await db.delete(unknown.key);
              return; // another report already gave that send its outcome
            }
            await db.delete(unknown.key);
            reconciled++;
            transitions.push({
              record,
              status: o.status as "delivered" | "undelivered",
              code: String(o.carrierCode),
              at,
            });
            await addDeliveryStats(
              record.appId,
              record.day as string,
              deliveryStats(record, o.status as "delivered" | "undelivered", String(o.carrierCode)),
              at,
              record.shard,
            );
            return;
          }
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
          transitions.push({
            record,
            status: o.status as "delivered" | "undelivered",
            code: String(o.carrierCode),
            at,
          });
          const adds = deliveryStats(
            record,
            o.status as "delivered" | "undelivered",
            String(o.carrierCode),
          );
          await addDeliveryStats(record.appId, record.day, adds, at, record.shard);
        }),
      );
      return { counted, dropped, reconciled, transitions };
    },

    /**
     * Ends sends still unknown when the vendors' report window has closed: each gets the
     * final status `expired` (unless a report won meanwhile), is counted as expired, and
     * stops waiting — its index item is deleted, so nothing holds it any more.
     */
    async expireUnknowns(
      at: string,
      windowMs = REPORT_WINDOW_MS,
    ): Promise<{ expired: number; transitions: StatusTransition[] }> {
      const transitions: StatusTransition[] = [];
      const cutoff = new Date(Date.parse(at) - windowMs).toISOString();
      const { items } = await db.query({
        index: "gsi1",
        pk: keys.openUnknowns(),
        // DynamoDB refuses an empty string as a key value (dynalite does not): "0" sorts
        // before every ISO time.
        skBetween: ["0", cutoff],
        limit: 200,
      });
      if (items.length === 0) return { expired: 0, transitions };
      const records = await db.batchGet(items.map((i) => keys.message(String(i.messageId))));
      const byId = new Map(
        records.map((r) => [String(r.id), strip<MessageRecord>(r, "Message") as MessageRecord]),
      );
      let expired = 0;
      await Promise.all(
        items.map(async (u) => {
          const record = byId.get(String(u.messageId));
          if (record) {
            try {
              await db.put(
                {
                  ...keys.messageStatus(record.id),
                  type: "MessageStatus",
                  messageId: record.id,
                  status: "expired",
                  carrierCode: "",
                  provider: record.provider,
                  serial: "",
                  binding: record.binding,
                  phone: record.to,
                  reportedAt: at,
                  receivedAt: at,
                  createdAt: at,
                  updatedAt: at,
                  expiresAt: ttl(record.createdAt),
                },
                { condition: "attribute_not_exists(pk)" },
              );
              expired++;
              transitions.push({ record, status: "expired", code: "", at });
              if (record.day)
                await addDeliveryStats(
                  record.appId,
                  record.day,
                  deliveryStats(record, "expired", ""),
                  at,
                  record.shard,
                );
            } catch (err) {
              if (!(err instanceof ConditionFailed)) throw err;
            }
          }
          await db.delete({ pk: String(u.pk), sk: String(u.sk) });
        }),
      );
      return { expired, transitions };
    },
  };
}
