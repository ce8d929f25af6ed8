/** Reading records and replies (API.md "Send" GET endpoints), scope `read`. */
import * as z from "zod/mini";
import { authorize } from "./auth";
import type { Deps } from "./deps";
import { normaliseE164 } from "./e164";
import { AppError } from "./errors";
import { validate } from "./http";
import type { Principal } from "./model";

const date = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const listQuery = z.strictObject({
  phone: z.string().check(z.minLength(1)),
  appId: z.optional(z.string()),
  from: z.optional(date),
  to: z.optional(date),
  limit: z._default(
    z.coerce
      .number()
      .check(z.refine(Number.isInteger, "must be a whole number"), z.gte(1), z.lte(100)),
    50,
  ),
});

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

/** GET /v1/replies?phone=…: one number's replies, newest first. */
export async function listReplies(deps: Deps, p: Principal, query: Record<string, string>) {
  const q = validate(listQuery, query, "query");
  const appId = appOfRead(p, q.appId);
  const phone = normaliseE164(q.phone);
  if (!phone)
    throw new AppError(
      "InvalidParameterValue.IncorrectPhoneNumber",
      "phone: use E.164 or an 11-digit mainland number.",
    );
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
