/** Reading records and replies (docs/api.md "Send" GET endpoints), scope `read`. */
import * as z from "zod/mini";
import { decodeCursor, encodeCursor } from "../core/cursor";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import type { Principal } from "../core/model";
import { parsePhone } from "../core/phone";
import { authorize } from "../http/auth";
import type { Route } from "../http/routes";
import { json, validate } from "../http/wrapper";
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
  const phone = q.phone.length <= 32 ? parsePhone(q.phone)?.e164 : undefined;
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

export const recordRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/messages",
    summary: "One number's records, newest first",
    access: "read",
    query: ["phone!", "from", "to", "limit", "cursor", "appId"],
    async handle({ deps, principal, req }) {
      return json(200, await listMessages(deps, principal, req.query));
    },
  },
  {
    method: "get",
    path: "/v1/replies",
    summary: "One number's replies, newest first",
    access: "read",
    query: ["phone!", "from", "to", "limit", "appId"],
    async handle({ deps, principal, req }) {
      return json(200, await listReplies(deps, principal, req.query));
    },
  },
];
