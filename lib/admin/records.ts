/**
 * Reading records and replies (docs/api.md "GET /v1/messages", "GET /v1/replies"), scope
 * `read`: an app's records by time with every filter optional, or one number's; JSON or CSV.
 */
import * as z from "zod/mini";
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { MessageRecord, Principal } from "../core/model";
import { parsePhone } from "../core/phone";
import { nextDay, startOfDay } from "../core/time";
import { authorize } from "../http/auth";
import { csv, nextPageUrl, wantsCsv } from "../http/csv";
import type { Route } from "../http/routes";
import { json, validate } from "../http/wrapper";
import { matchesRecord, publicRecord, withExpiry } from "../rules/records";
import type { Item } from "../store/db";
import { keys } from "../store/keys";

const date = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const limit = (fallback: number) =>
  z._default(
    z.coerce
      .number()
      .check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(100)),
    fallback,
  );
const STATUSES = [
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "delivered",
  "undelivered",
  "expired",
] as const;
const base = {
  phone: z.optional(z.string().check(z.minLength(1))),
  appId: z.optional(z.string()),
  from: z.optional(date),
  to: z.optional(date),
  cursor: z.optional(z.string()),
};
const repliesQuery = z.strictObject({ ...base, limit: limit(50) });
const messagesQuery = z.strictObject({
  ...base,
  limit: limit(20),
  status: z.optional(z.enum(STATUSES)),
  template: z.optional(z.string().check(z.maxLength(64))),
  sign: z.optional(z.string().check(z.maxLength(32))),
  campaign: z.optional(z.string().check(z.maxLength(64))),
});

/** A filtered search reads at most this many index entries per call, then hands a cursor. */
const SEARCH_BUDGET = 500;
const SEARCH_PAGE = 100;

/** The app a read applies to: the key's own, or the one the operator names. */
export function appOfRead(p: Principal, appId: string | undefined): string {
  if (p.appId !== "*") {
    authorize(p, "read", appId ?? p.appId);
    return p.appId;
  }
  if (!appId)
    throw new AppError("InvalidParameter", "appId: the operator key must name the app (?appId=…).");
  return appId;
}

function phoneOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const phone = raw.length <= 32 ? parsePhone(raw)?.e164 : undefined;
  if (!phone)
    throw new AppError(
      "InvalidParameterValue.IncorrectPhoneNumber",
      "phone: use E.164 or an 11-digit mainland number.",
    );
  return phone;
}

/**
 * The sort-key range "<ISO time>#<id>" for `from`/`to`: ISO times as given (any offset),
 * days as natural days in the app's time zone, the whole `to` day included.
 */
async function rangeOf(
  deps: Deps,
  appId: string,
  q: { from?: string; to?: string },
): Promise<[string, string]> {
  const needsZone = [q.from, q.to].some((v) => v && v.length === 10);
  let timeZone = "UTC";
  if (needsZone || q.from || q.to) {
    const app = await deps.store.getApp(appId);
    if (!app) throw new AppError("ResourceNotFound");
    timeZone = app.timeZone;
  }
  const iso = (v: string) => new Date(v).toISOString();
  // Not "": DynamoDB refuses an empty key value (dynalite does not); "0" sorts before every time.
  const from = !q.from ? "0" : q.from.length === 10 ? startOfDay(q.from, timeZone) : iso(q.from);
  const to = !q.to
    ? "9999"
    : q.to.length === 10
      ? new Date(Date.parse(startOfDay(nextDay(q.to), timeZone)) - 1).toISOString()
      : iso(q.to);
  if (from > to) throw new AppError("InvalidParameter", "query.from: must not be after query.to.");
  return [from, `${to}~`];
}

/** GET /v1/messages: the app's records (or one number's), newest first, filtered, paged. */
export async function searchMessages(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(messagesQuery, query, "query");
  const appId = appOfRead(p, q.appId);
  const phone = phoneOf(q.phone);
  const range = await rangeOf(deps, appId, q);
  // A campaign's records come from its own index; with a phone, the number's (filtered).
  const byCampaign = !phone && q.campaign ? q.campaign : undefined;
  const partition = phone
    ? keys.messagesByPhone(appId, phone)
    : byCampaign
      ? keys.messagesOfCampaign(appId, byCampaign)
      : keys.messagesOfApp(appId);
  let startKey = decodeCursor(q.cursor, partition);
  const filtered = Boolean(q.status || q.template || q.sign || (q.campaign && !byCampaign));
  const now = deps.clock.now();
  const found: MessageRecord[] = [];
  let cursorKey: Item | undefined;
  // Status lives in its own item (the first report wins), so filters apply after the merge;
  // a filtered search reads a bounded number of entries and resumes after the last one read.
  for (let read = 0; ; ) {
    const size = filtered ? SEARCH_PAGE : q.limit - found.length;
    const page = await deps.store.searchMessages(appId, phone, range, size, startKey, byCampaign);
    read += page.rows.length;
    cursorKey = page.lastKey;
    for (const [i, row] of page.rows.entries()) {
      const r = withExpiry(row.record, now);
      if (!matchesRecord(r, q)) continue;
      found.push(r);
      if (found.length === q.limit) {
        cursorKey = i === page.rows.length - 1 ? page.lastKey : row.key;
        break;
      }
    }
    if (found.length === q.limit || !page.lastKey || read >= SEARCH_BUDGET) break;
    startKey = page.lastKey;
  }
  return { messages: found.map(publicRecord), cursor: encodeCursor(cursorKey) };
}

/** GET /v1/replies: the app's replies (or one number's), newest first, paged. */
export async function searchReplies(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(repliesQuery, query, "query");
  const appId = appOfRead(p, q.appId);
  const phone = phoneOf(q.phone);
  const range = await rangeOf(deps, appId, q);
  const partition = phone ? keys.replyPartition(appId, phone) : keys.repliesOfApp(appId);
  const startKey = decodeCursor(q.cursor, partition);
  const page = await deps.store.searchReplies(appId, phone, range, q.limit, startKey);
  return {
    replies: page.replies.map((r) => ({
      id: r.id,
      phone: r.phone,
      text: r.text,
      sign: r.sign,
      provider: r.provider,
      receivedAt: r.receivedAt,
      optedOut: r.optedOut,
      forward: r.forward?.state,
    })),
    cursor: encodeCursor(page.lastKey),
  };
}

/** CSV columns of records (a header row, then one line per record). */
export const RECORD_COLUMNS = [
  "id",
  "createdAt",
  "reportedAt",
  "to",
  "country",
  "template",
  "kind",
  "sign",
  "text",
  "length",
  "segments",
  "status",
  "code",
  "carrierCode",
  "provider",
  "context",
  "campaign",
] as const;
export const REPLY_COLUMNS = [
  "id",
  "receivedAt",
  "phone",
  "sign",
  "text",
  "optedOut",
  "provider",
  "forward",
] as const;

export const recordRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/messages",
    summary: "The app's records (or one number's), newest first; JSON or CSV",
    access: "read",
    query: [
      "phone",
      "from",
      "to",
      "status",
      "template",
      "sign",
      "campaign",
      "limit",
      "cursor",
      "appId",
    ],
    async handle({ deps, principal, req }) {
      const page = await searchMessages(deps, principal, req.query);
      if (!wantsCsv(req)) return json(200, page);
      return csv("messages.csv", RECORD_COLUMNS, page.messages, nextPageUrl(req, page.cursor));
    },
  },
  {
    method: "get",
    path: "/v1/replies",
    summary: "The app's replies (or one number's), newest first; JSON or CSV",
    access: "read",
    query: ["phone", "from", "to", "limit", "cursor", "appId"],
    async handle({ deps, principal, req }) {
      const page = await searchReplies(deps, principal, req.query);
      if (!wantsCsv(req)) return json(200, page);
      return csv("replies.csv", REPLY_COLUMNS, page.replies, nextPageUrl(req, page.cursor));
    },
  },
];
