/**
 * Tencent's callback formats (docs/providers/tencent.md §4): status reports (a JSON array) and replies.
 * Pure parsing, no SDK: the webhook functions stay small.
 */
import * as z from "zod/mini";
import type { InboundReply, StatusReport } from "../core/model";
import type { Parsed, Webhooks } from "./port";

// Bounded lengths, so nothing unbounded becomes a key or a log line (Tencent's own examples
// write placeholders such as "13xxxxxxxxx", so the characters are not checked here).
const nationcode = z.string().check(z.minLength(1), z.maxLength(4));
const mobile = z.string().check(z.minLength(1), z.maxLength(20));

/** Bounds for vendor strings, so no item grows with what a vendor sends. */
export const MAX_CODE = 64;
export const MAX_TEXT = 1024;
const clip = (s: string | undefined, max: number): string | undefined =>
  s === undefined ? undefined : s.slice(0, max);

/**
 * docs/providers/tencent.md §4a: the fields smsgate needs. Unknown fields are ignored, not
 * refused: a refused push is retried twice and then lost (§4c), so a field Tencent adds must
 * never cost reports or opt-outs. Strings are bounded by `clip` after parsing, not refused.
 */
const statusReportSchema = z
  .array(
    z.object({
      user_receive_time: z.optional(z.string()),
      nationcode,
      mobile,
      report_status: z.enum(["SUCCESS", "FAIL"]),
      errmsg: z.string(),
      description: z.optional(z.string()),
      sid: z.string().check(z.minLength(1)),
      ext: z.optional(z.string()),
    }),
  )
  .check(z.maxLength(100));

// docs/providers/tencent.md §4b; unknown fields ignored as above.
const replySchema = z.object({
  extend: z.optional(z.string()),
  mobile,
  nationcode,
  sign: z.optional(z.string().check(z.maxLength(64))),
  text: z.string().check(z.maxLength(1000)),
  // Unix seconds; anything outside years 2000–2100 is not a real reply time.
  time: z.number().check(z.gte(946684800), z.lte(4102444800)),
});

/** "2015-10-17 08:03:04" in Beijing time (docs/providers/tencent.md §4a: zone unstated; UTC+8 assumed). */
function beijingToIso(s: string | undefined): string | undefined {
  if (!s || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(s)) return undefined;
  return new Date(`${s.replace(" ", "T")}+08:00`).toISOString();
}

const jsonOf = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/** Tencent's callback formats (docs/providers/tencent.md §4). */
export const tencentWebhooks: Webhooks = {
  parseStatusReports(body): Parsed<StatusReport> {
    const parsed = z.safeParse(statusReportSchema, jsonOf(body));
    if (!parsed.success)
      return { ok: false, error: parsed.error.issues[0]?.message ?? "invalid body" };
    return {
      ok: true,
      items: parsed.data.map((r) => ({
        provider: "tencent",
        serial: r.sid.slice(0, 128),
        phone: `+${r.nationcode}${r.mobile}`.slice(0, 32),
        delivered: r.report_status === "SUCCESS",
        carrierCode: r.errmsg.slice(0, MAX_CODE),
        description: clip(r.description, 256),
        receivedAt: beijingToIso(r.user_receive_time),
        // The send's SessionContext, where Tencent enabled `ext` for the account (§4a).
        reference: clip(r.ext, 128) || undefined,
      })),
    };
  },

  parseReplies(body): Parsed<InboundReply> {
    // docs/providers/tencent.md §4b: a single object per push; accept an array too, to be safe.
    const raw = jsonOf(body);
    const parsed = z.safeParse(
      z.union([replySchema, z.array(replySchema).check(z.maxLength(100))]),
      raw,
    );
    if (!parsed.success)
      return { ok: false, error: parsed.error.issues[0]?.message ?? "invalid body" };
    const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    return {
      ok: true,
      items: list.map((r) => ({
        provider: "tencent",
        phone: `+${r.nationcode}${r.mobile}`.slice(0, 32),
        text: r.text.slice(0, MAX_TEXT),
        sign: clip(r.sign, 64) || undefined,
        extend: clip(r.extend, 32) || undefined,
        receivedAt: new Date(r.time * 1000).toISOString(),
      })),
    };
  },

  ack(ok, message) {
    // docs/providers/tencent.md §4c: {"result":0,"errmsg":"OK"}; non-zero result = failure.
    return {
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        ok ? { result: 0, errmsg: "OK" } : { result: 1, errmsg: message ?? "error" },
      ),
    };
  },
};
