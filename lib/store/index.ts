/**
 * The store: every read and write of smsgate's data, named by access pattern
 * (docs/access-patterns.md). Items carry type, createdAt and updatedAt.
 */
import type {
  ApiKeyRecord,
  App,
  InboundReply,
  MessageRecord,
  StatusReport,
  Template,
} from "../model";
import { ConditionFailed, type Db, type Item } from "./db";
import { keys } from "./keys";

export type { Db } from "./db";
export { ConditionFailed } from "./db";

const strip = <T>(item: Item | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: _t, expiresAt: _e, ...rest } = item;
  return rest as T;
};

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
}

export function createStore({ db, recordTtlDays }: StoreOptions) {
  const ttl = (createdAt: string) =>
    Math.floor(Date.parse(createdAt) / 1000) + recordTtlDays * 86400;

  const appItem = (app: App): Item => ({
    ...keys.app(app.appId),
    type: "App",
    ...app,
    ...(app.enabled ? { gsi1pk: keys.enabledApps(), gsi1sk: app.appId } : {}),
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

  return {
    /** One round trip: the caller's key, its app and the template it names. */
    async loadRequestContext(
      keyHash: string,
      appId: string | undefined,
      templateId?: string,
    ): Promise<RequestContext> {
      const wanted = [keys.apiKey(keyHash)];
      if (appId) wanted.push(keys.app(appId));
      if (appId && templateId) wanted.push(keys.template(appId, templateId));
      const items = await db.batchGet(wanted);
      const byType = (t: string) => items.find((i) => i.type === t);
      return {
        apiKey: strip<ApiKeyRecord>(byType("ApiKey")),
        app: strip<App>(byType("App")),
        template: strip<Template>(byType("Template")),
      };
    },

    async getApp(appId: string): Promise<App | undefined> {
      return strip<App>(await db.get(keys.app(appId)));
    },

    /** Creates an app; fails with ConditionFailed if the id is taken. */
    async createApp(app: App): Promise<void> {
      await db.put(appItem(app), { condition: "attribute_not_exists(pk)" });
    },

    async putApp(app: App): Promise<void> {
      await db.put(appItem(app), { condition: "attribute_exists(pk)" });
    },

    /** The checker's index of enabled apps (sparse GSI; never a Scan). */
    async listEnabledAppIds(): Promise<string[]> {
      const ids: string[] = [];
      let startKey: Item | undefined;
      do {
        const page = await db.query({ index: "gsi1", pk: keys.enabledApps(), startKey });
        ids.push(...page.items.map((i) => String(i.appId)));
        startKey = page.lastKey;
      } while (startKey);
      return ids;
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

    /** Writes message records (batched) plus any extra items, e.g. the idempotent response. */
    async putMessages(records: MessageRecord[], extra: Item[] = []): Promise<void> {
      await db.batchWrite([...records.map(messageItem), ...extra]);
    },

    /** A record with any report that arrived before it merged in. */
    async getMessage(id: string): Promise<MessageRecord | undefined> {
      const { items } = await db.query({ pk: keys.message(id).pk, consistent: true });
      const record = strip<MessageRecord>(items.find((i) => i.sk === "MSG"));
      return record;
    },

    /**
     * Applies one status report to its record: a monotonic transition (only from
     * submitted/unknown), so duplicates and late copies change nothing. Returns the
     * record when this write won, "lost" when it was already final, "missing" when no
     * record exists yet.
     */
    async applyReport(
      messageId: string,
      report: StatusReport,
      at: string,
    ): Promise<{ outcome: "won"; record: MessageRecord } | { outcome: "lost" | "missing" }> {
      const status = report.delivered ? "delivered" : "undelivered";
      try {
        const item = await db.update(keys.message(messageId), {
          update:
            "SET #status = :status, carrierCode = :carrier, reportedAt = :at, receivedAt = :received, updatedAt = :at, history = list_append(history, :entry)",
          condition: "attribute_exists(pk) AND #status IN (:submitted, :unknown)",
          names: { "#status": "status" },
          values: {
            ":status": status,
            ":carrier": report.carrierCode,
            ":at": at,
            ":received": report.receivedAt ?? at,
            ":entry": [{ status, at, code: report.carrierCode }],
            ":submitted": "submitted",
            ":unknown": "unknown",
          },
          returnValues: "ALL_NEW",
        });
        return { outcome: "won", record: strip<MessageRecord>(item) as MessageRecord };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // dynalite ignores ReturnValuesOnConditionCheckFailure: read to tell why.
        const existing = await db.get(keys.message(messageId));
        return { outcome: existing ? "lost" : "missing" };
      }
    },

    /** Keeps a report whose record does not exist yet (the vendor beat our commit). */
    async putOrphanReport(
      appId: string,
      messageId: string,
      report: StatusReport,
      at: string,
    ): Promise<void> {
      await db.put({
        ...keys.orphanReport(messageId),
        type: "OrphanReport",
        gsi1pk: keys.orphans(),
        gsi1sk: `${at}#${messageId}`,
        appId,
        messageId,
        report,
        createdAt: at,
        updatedAt: at,
        expiresAt: Math.floor(Date.parse(at) / 1000) + 7 * 86400,
      });
    },

    /** One number's replies, newest first. */
    async listReplies(
      appId: string,
      e164: string,
      limit = 50,
    ): Promise<(InboundReply & { id: string })[]> {
      const { items } = await db.query({
        pk: keys.replyPartition(appId, e164),
        newestFirst: true,
        limit,
      });
      return items.map(
        (i) => strip<InboundReply & { id: string }>(i) as InboundReply & { id: string },
      );
    },

    async putReply(appId: string, id: string, reply: InboundReply, at: string): Promise<void> {
      await db.put({
        ...keys.reply(appId, reply.phone, reply.receivedAt, id),
        type: "Reply",
        id,
        appId,
        ...reply,
        createdAt: at,
        updatedAt: at,
        expiresAt: ttl(at),
      });
    },
  };
}

export type Store = ReturnType<typeof createStore>;
