/**
 * The store: every read and write of smsgate's data, named by access pattern
 * (docs/access-patterns.md). Items carry type, createdAt and updatedAt.
 */
import type {
  ApiKeyRecord,
  App,
  MessageRecord,
  MessageStatusItem,
  OptOutEntry,
  StatusReport,
  StoredReply,
  Template,
} from "../core/model";
import { type FrequencyLimits, frequencyRelease, frequencyReservation } from "../rules/frequency";
import { type Adds, deliveryStats, sum } from "../rules/stats";
import { counterUpdate, type Thresholds } from "../rules/usage";
import { ConditionFailed, type Db, type Item, type QueryInput } from "./db";
import { keys } from "./keys";

export const MAX_WHITELIST = 300;
export const MAX_CONTACTS = 5;
const CAPS = { whitelist: MAX_WHITELIST, contacts: MAX_CONTACTS };

export type { Db } from "./db";
export { ConditionFailed } from "./db";

const strip = <T>(item: Item | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: _t, expiresAt: _e, ...rest } = item;
  return rest as T;
};

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

export interface StoreOptions {
  db: Db;
  /** Records expire this many days after creation (TTL). */
  recordTtlDays: number;
}

/** What an API request needs before it can do anything: key, app and (optionally) template. */
export interface RequestContext {
  apiKey?: ApiKeyRecord;
  app?: App;
  template?: Template;
  /** Opt-out entries by E.164, when numbers were asked for. */
  optOuts: Map<string, OptOutEntry[]>;
}

/** The stored state of an Idempotency-Key. */
export interface IdempotencyRecord {
  fingerprint: string;
  state: "pending" | "done";
  response?: string;
  createdAt: string;
}

const optOutsOf = (item: Item): OptOutEntry[] =>
  Object.entries(item)
    .filter(([k]) => k.startsWith("s#"))
    .map(([, v]) => v as OptOutEntry);

export function createStore({ db, recordTtlDays }: StoreOptions) {
  const ttl = (createdAt: string) =>
    Math.floor(Date.parse(createdAt) / 1000) + recordTtlDays * 86400;

  const appItem = (app: App): Item => ({
    ...keys.app(app.appId),
    type: "App",
    ...app,
    gsi1pk: keys.apps(),
    gsi1sk: keys.appListing(app.enabled, app.appId),
  });

  const messageItem = (m: MessageRecord): Item => ({
    ...keys.message(m.id),
    type: "Message",
    gsi1pk: keys.messagesByPhone(m.appId, m.to),
    gsi1sk: `${m.createdAt}#${m.id}`,
    updatedAt: m.createdAt,
    expiresAt: ttl(m.createdAt),
    ...m,
  });

  /** Every page of a query (lists that are bounded by design: apps, an app's days). */
  const queryAll = async (input: QueryInput): Promise<Item[]> => {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await db.query({ ...input, startKey });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  };

  /** Apps from the GSI listing; only those whose listing key starts with `prefix`, if given. */
  const listApps = async (prefix?: string): Promise<App[]> =>
    (await queryAll({ index: "gsi1", pk: keys.apps(), skBeginsWith: prefix })).map(
      (i) => strip<App>(i) as App,
    );

  /** The status items of many messages (to merge into a page of records). */
  const getStatuses = async (ids: string[]): Promise<Map<string, MessageStatusItem>> => {
    const items = await db.batchGet(ids.map((id) => keys.messageStatus(id)));
    return new Map(
      items.map((i) => [String(i.messageId), strip<MessageStatusItem>(i) as MessageStatusItem]),
    );
  };

  return {
    /** One round trip: the caller's key, its app and the template it names. */
    async loadRequestContext(
      keyHash: string,
      appId: string | undefined,
      templateId?: string,
      phones: string[] = [],
    ): Promise<RequestContext> {
      const wanted = [keys.apiKey(keyHash)];
      if (appId) wanted.push(keys.app(appId));
      if (appId && templateId) wanted.push(keys.template(appId, templateId));
      if (appId) wanted.push(...phones.map((p) => keys.optOut(appId, p)));
      const items = await db.batchGet(wanted);
      const byType = (t: string) => items.find((i) => i.type === t);
      const optOuts = new Map<string, OptOutEntry[]>();
      for (const i of items) if (i.type === "OptOut") optOuts.set(String(i.phone), optOutsOf(i));
      return {
        apiKey: strip<ApiKeyRecord>(byType("ApiKey")),
        app: strip<App>(byType("App")),
        template: strip<Template>(byType("Template")),
        optOuts,
      };
    },

    /** Reserves one send for a number: one conditional update of its day item. */
    async reserveFrequency(
      appId: string,
      e164: string,
      day: string,
      limits: FrequencyLimits,
      now: number,
      contentKey: string,
    ): Promise<{ ok: true; old: Item | undefined } | { ok: false; item: Item | undefined }> {
      const key = keys.frequency(appId, e164, day);
      const at = new Date(now).toISOString();
      try {
        const old = await db.update(key, {
          ...frequencyReservation(limits, now, contentKey, at),
          returnValues: "ALL_OLD",
        });
        return { ok: true, old };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // dynalite ignores ReturnValuesOnConditionCheckFailure: read to tell which window.
        return { ok: false, item: await db.get(key) };
      }
    },

    /** Gives back a reservation the vendor refused (see frequencyRelease). */
    async releaseFrequency(
      appId: string,
      e164: string,
      day: string,
      limits: FrequencyLimits,
      now: number,
      contentKey: string,
      old: Item | undefined,
    ): Promise<void> {
      const key = keys.frequency(appId, e164, day);
      try {
        await db.update(key, frequencyRelease(limits, now, contentKey, old));
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // A later send moved the slots on: give back the day count only.
        await db.update(key, {
          update: "ADD #n :minus",
          names: { "#n": "count" },
          values: { ":minus": -1 },
        });
      }
    },

    async readFrequency(appId: string, phones: string[], day: string): Promise<Map<string, Item>> {
      const items = await db.batchGet(phones.map((p) => keys.frequency(appId, p, day)));
      return new Map(items.map((i) => [String(i.pk).split("#")[2] ?? "", i]));
    },

    /**
     * Adds to an app's day counters if every limited counter stays within its limit; on
     * refusal returns the counters as they stand, so the caller can fit what still fits.
     */
    async reserveUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      thresholds: Thresholds,
      at: string,
    ): Promise<{ ok: true } | { ok: false; item: Item | undefined }> {
      try {
        await db.update(keys.usage(appId, day), counterUpdate(adds, thresholds, at));
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return { ok: false, item: await db.get(keys.usage(appId, day)) };
      }
    },

    /** Adds to an app's day counters unconditionally (statistics, releases). */
    async adjustUsage(
      appId: string,
      day: string,
      adds: Record<string, number>,
      at: string,
    ): Promise<void> {
      if (Object.keys(adds).length === 0) return;
      await db.update(keys.usage(appId, day), counterUpdate(adds, {}, at));
    },

    async readUsage(appId: string, day: string): Promise<Item | undefined> {
      return db.get(keys.usage(appId, day));
    },

    /** Takes `need` segments from the prepaid balance if that many remain. */
    async reservePackage(
      appId: string,
      region: "domestic" | "international",
      need: number,
      at: string,
    ): Promise<{ ok: true } | { ok: false; remaining: number }> {
      try {
        await db.update(keys.package(appId), {
          update: "ADD #r :minus SET updatedAt = :at",
          condition: "#r >= :need",
          names: { "#r": region },
          values: { ":minus": -need, ":need": need, ":at": at },
        });
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const item = await db.get(keys.package(appId));
        return {
          ok: false,
          remaining: typeof item?.[region] === "number" ? (item[region] as number) : 0,
        };
      }
    },

    async refundPackage(
      appId: string,
      region: "domestic" | "international",
      amount: number,
      at: string,
    ): Promise<void> {
      if (amount <= 0) return;
      await db.update(keys.package(appId), {
        update: "ADD #r :amount SET updatedAt = :at",
        names: { "#r": region },
        values: { ":amount": amount, ":at": at },
      });
    },

    /** Sets the prepaid balances (a top-up replaces the balance). */
    async setPackage(
      appId: string,
      balances: { domestic?: number; international?: number },
      at: string,
    ): Promise<void> {
      const sets = Object.entries(balances).filter(([, v]) => v !== undefined);
      await db.update(keys.package(appId), {
        update: `SET ${["#t = :type", "updatedAt = :at", "createdAt = if_not_exists(createdAt, :at)", ...sets.map(([k]) => `${k} = :${k}`)].join(", ")}`,
        names: { "#t": "type" },
        values: {
          ":type": "Package",
          ":at": at,
          ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])),
        },
      });
    },

    async readPackage(
      appId: string,
    ): Promise<{ domestic?: number; international?: number } | undefined> {
      const item = await db.get(keys.package(appId));
      return item
        ? {
            domestic: item.domestic as number | undefined,
            international: item.international as number | undefined,
          }
        : undefined;
    },

    /** Claims an Idempotency-Key before any vendor call; a second claim finds the first. Keys live 24 h. */
    async claimIdempotency(
      appId: string,
      idemKey: string,
      fingerprint: string,
      at: string,
    ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
      const key = keys.idempotency(appId, idemKey);
      try {
        await db.put(
          {
            ...key,
            type: "Idempotency",
            fingerprint,
            state: "pending",
            createdAt: at,
            updatedAt: at,
            expiresAt: Math.floor(Date.parse(at) / 1000) + 86400,
          },
          { condition: "attribute_not_exists(pk)" },
        );
        return { claimed: true };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return { claimed: false, existing: strip<IdempotencyRecord>(await db.get(key)) };
      }
    },

    async getIdempotency(appId: string, idemKey: string): Promise<IdempotencyRecord | undefined> {
      return strip<IdempotencyRecord>(await db.get(keys.idempotency(appId, idemKey)));
    },

    /** The item that completes a claim; written in the same batch as the records. */
    idempotencyResult(
      appId: string,
      idemKey: string,
      fingerprint: string,
      response: string,
      createdAt: string,
      at: string,
    ): Item {
      return {
        ...keys.idempotency(appId, idemKey),
        type: "Idempotency",
        fingerprint,
        state: "done",
        response,
        createdAt,
        updatedAt: at,
        expiresAt: Math.floor(Date.parse(createdAt) / 1000) + 86400,
      };
    },

    /** Drops a claim whose request failed before any vendor call, so a retry can run. */
    async releaseIdempotency(appId: string, idemKey: string): Promise<void> {
      try {
        await db.delete(keys.idempotency(appId, idemKey), {
          condition: "#s = :pending",
          names: { "#s": "state" },
          values: { ":pending": "pending" },
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },

    /** Adds an opt-out for one number and signature ("*": all), appending to its audit trail. */
    async addOptOut(appId: string, e164: string, entry: OptOutEntry): Promise<void> {
      await db.update(keys.optOut(appId, e164), {
        update:
          "SET #s = :entry, #t = :type, phone = :phone, appId = :app, gsi1pk = :list, gsi1sk = :phone, updatedAt = :at, createdAt = if_not_exists(createdAt, :at), audit = list_append(if_not_exists(audit, :empty), :log)",
        names: { "#s": `s#${entry.sign}`, "#t": "type" },
        values: {
          ":entry": entry,
          ":type": "OptOut",
          ":phone": e164,
          ":app": appId,
          ":list": keys.optOutsOfApp(appId),
          ":at": entry.at,
          ":empty": [],
          ":log": [{ action: "add", ...entry }],
        },
      });
    },

    /** Removes a number's opt-outs (one signature, or all); the audit trail keeps who and when. */
    async removeOptOut(
      appId: string,
      e164: string,
      sign: string | undefined,
      by: string,
      at: string,
    ): Promise<boolean> {
      const item = await db.get(keys.optOut(appId, e164));
      const present = item
        ? Object.keys(item).filter((k) => k.startsWith("s#") && (!sign || k === `s#${sign}`))
        : [];
      if (present.length === 0) return false;
      const names = Object.fromEntries(present.map((k, i) => [`#r${i}`, k]));
      await db.update(keys.optOut(appId, e164), {
        update: `REMOVE ${Object.keys(names).join(", ")} SET updatedAt = :at, audit = list_append(audit, :log)`,
        names,
        values: { ":at": at, ":log": [{ action: "remove", sign: sign ?? "*all", by, at }] },
      });
      return true;
    },

    async getOptOuts(
      appId: string,
      e164: string,
    ): Promise<{ entries: OptOutEntry[]; audit: unknown[] } | undefined> {
      const item = await db.get(keys.optOut(appId, e164));
      return item
        ? { entries: optOutsOf(item), audit: (item.audit as unknown[]) ?? [] }
        : undefined;
    },

    /**
     * Sets `key` in one of the app's capped maps (whitelist ≤ 300, contacts ≤ 5), refusing a
     * new key once the map is full: one conditional update on `size(map)`.
     */
    async putInAppMap(
      appId: string,
      map: "whitelist" | "contacts",
      key: string,
      value: unknown,
      at: string,
    ): Promise<"saved" | "full" | "missing"> {
      const names = { "#m": map, "#k": key };
      try {
        // Apps made before the map existed get an empty one first.
        await db.update(keys.app(appId), {
          update: "SET #m = if_not_exists(#m, :empty), updatedAt = :at",
          condition: "attribute_exists(pk)",
          names,
          values: { ":empty": {}, ":at": at },
        });
        await db.update(keys.app(appId), {
          update: "SET #m.#k = :v, updatedAt = :at",
          condition: "size(#m) < :max OR attribute_exists(#m.#k)",
          names,
          values: { ":v": value, ":at": at, ":max": CAPS[map] },
        });
        return "saved";
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return (await db.get(keys.app(appId))) ? "full" : "missing";
      }
    },

    async removeFromAppMap(
      appId: string,
      map: "whitelist" | "contacts",
      key: string,
      at: string,
    ): Promise<void> {
      await db.update(keys.app(appId), {
        update: "REMOVE #m.#k SET updatedAt = :at",
        names: { "#m": map, "#k": key },
        values: { ":at": at },
      });
    },

    /** Counts manual opt-outs (≤ 1,000 per app); false when the cap is reached. */
    async countManualOptOut(appId: string, delta: number): Promise<boolean> {
      try {
        await db.update(keys.app(appId), {
          update: "ADD manualOptOuts :d",
          condition:
            delta > 0 ? "attribute_not_exists(manualOptOuts) OR manualOptOuts < :max" : undefined,
          values: { ":d": delta, ":max": 1000 },
        });
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    async getApp(appId: string): Promise<App | undefined> {
      return strip<App>(await db.get(keys.app(appId)));
    },

    /** Creates an app; fails with ConditionFailed if the id is taken. */
    async createApp(app: App): Promise<void> {
      await db.put(appItem(app), { condition: "attribute_not_exists(pk)" });
    },

    /**
     * Changes some settings of an app in place (SET/REMOVE of those attributes only), so a
     * concurrent whitelist change is never overwritten. Keeps the enabled-apps index in step.
     */
    async updateApp(appId: string, set: Partial<App>, remove: (keyof App)[] = []): Promise<void> {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      for (const [i, [k, v]] of Object.entries(set).entries()) {
        names[`#s${i}`] = k;
        values[`:s${i}`] = v;
        sets.push(`#s${i} = :s${i}`);
      }
      for (const [i, k] of remove.entries()) {
        names[`#r${i}`] = k;
        removes.push(`#r${i}`);
      }
      if (set.enabled !== undefined) {
        Object.assign(names, { "#gs": "gsi1sk" });
        Object.assign(values, { ":gs": keys.appListing(set.enabled, appId) });
        sets.push("#gs = :gs");
      }
      await db.update(keys.app(appId), {
        update: [
          sets.length ? `SET ${sets.join(", ")}` : "",
          removes.length ? `REMOVE ${removes.join(", ")}` : "",
        ]
          .join(" ")
          .trim(),
        condition: "attribute_exists(pk)",
        names,
        values,
      });
    },

    /** The checker's index of enabled apps (sparse GSI; never a Scan). */
    /** The checker's index of enabled apps (GSI, projecting the whole item; no Scan). */
    async listEnabledApps(): Promise<App[]> {
      return listApps(keys.appListing(true, ""));
    },

    listApps,

    /** Per app: today's and yesterday's counters and the balances, in 100-key batches. */
    async readCounters(
      appIds: string[],
      today: (appId: string) => string,
      yesterday: (appId: string) => string,
    ) {
      const items = await db.batchGet(
        appIds.flatMap((a) => [
          keys.usage(a, today(a)),
          keys.usage(a, yesterday(a)),
          keys.package(a),
        ]),
      );
      const byKey = new Map(items.map((i) => [`${i.pk}\u0000${i.sk}`, i]));
      const at = (k: { pk: string; sk: string }) => byKey.get(`${k.pk}\u0000${k.sk}`);
      return new Map(
        appIds.map((a) => {
          const pkg = at(keys.package(a));
          return [
            a,
            {
              today: at(keys.usage(a, today(a))),
              yesterday: at(keys.usage(a, yesterday(a))),
              balance: pkg
                ? {
                    domestic: pkg.domestic as number | undefined,
                    international: pkg.international as number | undefined,
                  }
                : undefined,
            },
          ] as const;
        }),
      );
    },

    /** Claims an alert's key: true the first time only, so an alert fires at most once. */
    async claimAlert(
      appId: string,
      alert: { key: string; event: string; subject: string; value: string },
      at: string,
    ): Promise<boolean> {
      try {
        await db.put(
          {
            ...keys.alert(appId, alert.key),
            type: "Alert",
            appId,
            ...alert,
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

    async recordAlertDelivery(
      appId: string,
      key: string,
      sent: { contact: string; messageId: string; status: string }[],
      at: string,
    ) {
      await db.update(keys.alert(appId, key), {
        update: "SET sent = :s, updatedAt = :at",
        values: { ":s": sent, ":at": at },
      });
    },

    /** An app's alert history, newest first. */
    async listAlerts(appId: string): Promise<Item[]> {
      const { items } = await db.query({ pk: keys.alert(appId, "").pk });
      return items
        .map((i) => strip<Item>(i) as Item)
        .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    },

    async putTemplate(t: Template): Promise<void> {
      await db.put({ ...keys.template(t.appId, t.id), type: "Template", ...t });
    },

    async getTemplate(appId: string, templateId: string): Promise<Template | undefined> {
      return strip<Template>(await db.get(keys.template(appId, templateId)));
    },

    async listTemplates(appId: string): Promise<Template[]> {
      const { items } = await db.query({
        pk: keys.app(appId).pk,
        skBeginsWith: keys.templatePrefix(),
      });
      return items.map((i) => strip<Template>(i) as Template);
    },

    /** Stores a key by its hash, and a listing entry in its app's partition. */
    async createApiKey(k: ApiKeyRecord): Promise<void> {
      const base = { type: "ApiKey", ...k, updatedAt: k.createdAt };
      await db.batchWrite([
        { ...keys.apiKey(k.hash), ...base },
        { ...keys.apiKeyRef(k.appId, k.keyId), ...base, type: "ApiKeyRef" },
      ]);
    },

    /** An app's keys, without secrets (only ids, scopes and dates are kept anyway). */
    async listApiKeys(appId: string): Promise<ApiKeyRecord[]> {
      const { items } = await db.query({ pk: keys.app(appId).pk, skBeginsWith: "KEY#" });
      return items.map((i) => strip<ApiKeyRecord>(i) as ApiKeyRecord);
    },

    /** Revokes a key: its hash stops resolving at once. */
    async revokeApiKey(appId: string, keyId: string): Promise<boolean> {
      const ref = await db.get(keys.apiKeyRef(appId, keyId));
      if (!ref) return false;
      await db.batchWrite([], [keys.apiKey(String(ref.hash)), keys.apiKeyRef(appId, keyId)]);
      return true;
    },

    /** An app's opted-out numbers (GSI, by number), one page. */
    async listOptOuts(appId: string, limit: number, startKey?: Item) {
      const page = await db.query({ index: "gsi1", pk: keys.optOutsOfApp(appId), limit, startKey });
      return {
        items: page.items
          .map((i) => ({ phone: String(i.phone), optOuts: optOutsOf(i) }))
          .filter((o) => o.optOuts.length > 0),
        lastKey: page.lastKey,
      };
    },

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
      const records = page.items.map((i) => strip<MessageRecord>(i) as MessageRecord);
      const statuses = records.length ? await getStatuses(records.map((r) => r.id)) : new Map();
      return {
        records: records.map((r) => mergeStatus(r, statuses.get(r.id))),
        lastKey: page.lastKey,
      };
    },

    /** An app's day counters from `from` to `to` (YYYY-MM-DD), for statistics. */
    async usageRange(appId: string, from: string, to: string): Promise<Item[]> {
      return queryAll({ pk: keys.usage(appId, "").pk, skBetween: [from, to] });
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
      const record = strip<MessageRecord>(items.find((i) => i.sk === keys.message(id).sk));
      const status = strip<MessageStatusItem>(
        items.find((i) => i.sk === keys.messageStatus(id).sk),
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
        records.map((r) => [String(r.id), strip<MessageRecord>(r) as MessageRecord]),
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
        records.map((r) => [String(r.id), strip<MessageRecord>(r) as MessageRecord]),
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

    /** One number's replies, newest first. */
    async listReplies(appId: string, e164: string, limit = 50): Promise<StoredReply[]> {
      const { items } = await db.query({
        pk: keys.replyPartition(appId, e164),
        newestFirst: true,
        limit,
      });
      return items.map((i) => strip<StoredReply>(i) as StoredReply);
    },

    /** Stores a reply; with `forward`, it is also queued for the app's webhook. */
    async putReply(reply: StoredReply, forward: boolean): Promise<void> {
      await db.put({
        ...keys.reply(reply.appId, reply.phone, reply.receivedAt, reply.id),
        type: "Reply",
        ...reply,
        ...(forward
          ? {
              forward: { state: "pending", attempts: 0 },
              gsi1pk: keys.pendingForwards(),
              gsi1sk: `${reply.createdAt}#${reply.id}`,
            }
          : {}),
        updatedAt: reply.createdAt,
        expiresAt: ttl(reply.createdAt),
      });
    },

    /** Replies whose forward is due by `at` (a sparse index: only pending ones are in it). */
    async dueForwards(at: string, limit = 100): Promise<StoredReply[]> {
      const { items } = await db.query({
        index: "gsi1",
        pk: keys.pendingForwards(),
        skBetween: ["", `${at}~`],
        limit,
      });
      return items.map((i) => strip<StoredReply>(i) as StoredReply);
    },

    /** Records a forward attempt: done (out of the index), failed for good, or due again at `next`. */
    async settleForward(
      r: StoredReply,
      outcome: { state: "delivered" | "failed" } | { state: "pending"; next: string },
      attempts: number,
      at: string,
    ) {
      const key = keys.reply(r.appId, r.phone, r.receivedAt, r.id);
      if (outcome.state === "pending") {
        await db.update(key, {
          update: "SET #f = :f, gsi1sk = :s, updatedAt = :at",
          names: { "#f": "forward" },
          values: {
            ":f": { state: "pending", attempts, lastAttemptAt: at },
            ":s": `${outcome.next}#${r.id}`,
            ":at": at,
          },
        });
      } else {
        await db.update(key, {
          update: "SET #f = :f, updatedAt = :at REMOVE gsi1pk, gsi1sk",
          names: { "#f": "forward" },
          values: { ":f": { state: outcome.state, attempts, lastAttemptAt: at }, ":at": at },
        });
      }
    },
  };
}

export type Store = ReturnType<typeof createStore>;
