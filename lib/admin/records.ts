/** Reading records and replies (API.md "Send" GET endpoints), scope `read`. */
import * as z from "zod/mini";
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { normaliseE164 } from "../core/e164";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import { authorize } from "../http/auth";
import { validate } from "../http/wrapper";
import { publicRecord, withExpiry } from "../rules/records";
import { keys } from "../store/keys";

const date = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const limit = (fallback: number) =>
  z._default(
    z.coerce
      .number()
      .check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(100)),
    fallback,
  );
/** One number's history: which number, which app (operator key), which time range. */
const byPhone = {
  phone: z.string().check(z.minLength(1)),
  appId: z.optional(z.string()),
  from: z.optional(date),
  to: z.optional(date),
};
const listQuery = z.strictObject({ ...byPhone, limit: limit(50) });

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

/** The app and number a by-phone query reads. */
function whose(
  p: Principal,
  q: { appId?: string; phone: string },
): { appId: string; phone: string } {
  const appId = appOfRead(p, q.appId);
  const phone = normaliseE164(q.phone);
  if (!phone)
    throw new AppError(
      "InvalidParameterValue.IncorrectPhoneNumber",
      "phone: use E.164 or an 11-digit mainland number.",
    );
  return { appId, phone };
}

/** GET /v1/replies?phone=…: one number's replies, newest first. */
export async function listReplies(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(listQuery, query, "query");
  const { appId, phone } = whose(p, q);
  const replies = await deps.store.listReplies(appId, phone, q.limit);
  const inRange = replies.filter(
    (r) => (!q.from || r.receivedAt >= q.from) && (!q.to || r.receivedAt <= `${q.to}~`),
  );
  return {
    replies: inRange.map((r) => ({
      id: r.id,
      phone: r.phone,
      text: r.text,
      sign: r.sign,
      provider: r.provider,
      receivedAt: r.receivedAt,
      optedOut: r.optedOut,
      forward: r.forward?.state,
    })),
  };
}

const messagesQuery = z.strictObject({
  ...byPhone,
  limit: limit(20),
  cursor: z.optional(z.string()),
});

/** GET /v1/messages?phone=…: one number's records, newest first, with an opaque cursor. */
export async function listMessages(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(messagesQuery, query, "query");
  const { appId, phone } = whose(p, q);
  // The index sorts by "<createdAt>#<id>": a range of ISO times, "~" closing the upper end.
  const range: [string, string] = [q.from ?? "", `${q.to ?? "9999"}~`];
  const startKey = decodeCursor(q.cursor, keys.messagesByPhone(appId, phone));
  const page = await deps.store.listMessagesByPhone(appId, phone, range, q.limit, startKey);
  const now = deps.clock.now();
  return {
    messages: page.records.map((r) => publicRecord(withExpiry(r, now))),
    cursor: encodeCursor(page.lastKey),
  };
}

const statsQuery = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  groupBy: z._default(z.enum(["day", "template", "country"]), "day"),
  appId: z.optional(z.string()),
});

const METRICS = [
  "recipients",
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "segments",
  "delivered",
  "undelivered",
] as const;

/** One group's figures from its counters, with the rates the Tencent console shows. */
export function statsRow(counters: Record<string, number>, failures: Record<string, number>) {
  const c = (m: string) => counters[m] ?? 0;
  const reported = c("delivered") + c("undelivered");
  const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
  return {
    requests: c("recipients"),
    submitted: c("submitted"),
    rejected: c("rejected"),
    failed: c("failed"),
    unknown: c("unknown"),
    segments: c("segments"),
    successRate: ratio(c("submitted"), c("recipients")),
    delivered: c("delivered"),
    undelivered: c("undelivered"),
    reported,
    unreported: Math.max(0, c("submitted") - reported),
    receiptRate: ratio(reported, c("submitted")),
    deliveryRate: ratio(c("delivered"), c("submitted")),
    failures,
  };
}

/**
 * Groups day counter items (lib/rules/stats.ts names: "n:<metric>", "t:<template>:<metric>",
 * "c:<country>:<metric>", "…:fail:<code>") by day, template or country.
 */
export function groupStats(
  items: Record<string, unknown>[],
  groupBy: "day" | "template" | "country",
) {
  const groups = new Map<
    string,
    { counters: Record<string, number>; failures: Record<string, number> }
  >();
  const at = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { counters: {}, failures: {} };
      groups.set(key, g);
    }
    return g;
  };
  const prefix = groupBy === "template" ? "t:" : groupBy === "country" ? "c:" : "n:";
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== "number" || !name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length);
      // "n:<metric>" has no group; t: and c: carry theirs before the metric.
      const [group, metric, ...code] =
        groupBy === "day" ? [String(item.sk), ...rest.split(":")] : rest.split(":");
      if (!group || !metric) continue;
      const g = at(group);
      if (metric === "fail") g.failures[code.join(":")] = (g.failures[code.join(":")] ?? 0) + value;
      else if ((METRICS as readonly string[]).includes(metric))
        g.counters[metric] = (g.counters[metric] ?? 0) + value;
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => ({ [groupBy]: key, ...statsRow(g.counters, g.failures) }));
}

/** GET /v1/stats: from counter items only, never records. */
export async function stats(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(statsQuery, query, "query");
  if (q.from > q.to)
    throw new AppError("InvalidParameter", "query.from: must not be after query.to.");
  const appId = appOfRead(p, q.appId);
  const items = await deps.store.usageRange(appId, q.from, q.to);
  const groups = groupStats(items, q.groupBy);
  const total = groupStats(
    items.map((i) => ({ ...i, sk: "total" })),
    "day",
  )[0];
  const carriers: Record<string, number> = {};
  for (const i of items)
    for (const [k, v] of Object.entries(i))
      if (k.startsWith("n:carrier:") && typeof v === "number")
        carriers[k.slice(10)] = (carriers[k.slice(10)] ?? 0) + v;
  return {
    appId,
    from: q.from,
    to: q.to,
    groupBy: q.groupBy,
    groups,
    total: total ? { ...total, day: undefined } : statsRow({}, {}),
    carrierCodes: carriers,
  };
}
