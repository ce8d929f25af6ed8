/**
 * Huawei's callback formats (docs/providers/huawei.md §4, §5): form-encoded status reports (or the §4.2
 * JSON batch) and upstream replies. Pure parsing, no credentials.
 */
import * as z from "zod/mini";
import type { InboundReply, StatusReport } from "../core/model";
import type { Parsed, WebhookAck, Webhooks } from "./port";

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * docs/providers/huawei.md §4.1 fields. Unknown fields are ignored, not refused: the list has grown
 * (`statusDesc` only in newer docs, `orgCode` only for some regions), and Huawei documents no
 * re-push (§4.4), so refusing a report for a new field would lose it for good.
 */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const reportSchema = z.object({
  smsMsgId: text(1, 50),
  // Documented as String(1-7), yet supplier codes like `CL26:-nn` (§4.3) are longer.
  status: text(1, 32),
  total: z.optional(z.coerce.string()),
  sequence: z.optional(z.coerce.string()),
  statusDesc: z.optional(z.string()),
  source: z.optional(z.coerce.string()),
  updateTime: z.optional(z.string()),
  orgCode: z.optional(z.string()),
  extend: z.optional(z.string()),
  to: z.optional(z.string()),
});

/** docs/providers/huawei.md §4.2: `{"statusReportList":[…]}`, at most 50 per push. */
const batchReportSchema = z.object({
  statusReportList: z.array(reportSchema).check(z.minLength(1), z.maxLength(50)),
});

/** docs/providers/huawei.md §5 fields; same tolerance for unknown fields as reports. */
const replySchema = z.object({
  smsMsgId: text(1, 50),
  from: text(1, 21),
  to: z.optional(z.string().check(z.maxLength(21))),
  // Documented as 1-160 chars; not enforced, so a longer reply is kept rather than lost.
  body: z.string(),
  createTime: z.optional(z.string()),
});

/** `yyyy-MM-dd'T'HH:mm:ss'Z'` → ISO; undefined if absent or malformed. */
function utcToIso(value: string | undefined): string | undefined {
  if (!value || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Recipient as E.164. docs/providers/huawei.md §4.1/§5 show numbers with `+` (`%2B86…`); a bare mainland
 * 11-digit number or digits without `+` are normalised defensively (UNCONFIRMED they occur).
 */
function toE164(value: string | undefined): string {
  const text = (value ?? "").trim();
  if (text === "" || text.startsWith("+")) return text;
  if (/^1\d{10}$/.test(text)) return `+86${text}`;
  return /^\d+$/.test(text) ? `+${text}` : text;
}

function isJson(body: string, contentType: string | undefined): boolean {
  if (contentType) return /json/i.test(contentType);
  return body.trimStart().startsWith("{");
}

/** A form body as a plain object; undefined when empty or when a field repeats. */
function formFields(body: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, key)) return undefined;
    fields[key] = value;
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join(".") || "body"}: ${issue.message}` : "invalid body";
}

function toReport(r: z.output<typeof reportSchema>): StatusReport {
  return {
    provider: "huawei",
    serial: r.smsMsgId,
    // docs/providers/huawei.md §4.1: `to` is only present when `extend` was sent (the adapter always sends it).
    phone: toE164(r.to),
    delivered: r.status === "DELIVRD",
    carrierCode: r.status,
    description: r.statusDesc?.slice(0, 256) || undefined,
    receivedAt: utcToIso(r.updateTime),
    // smsgate sets `extend` to its request id (§4.1): how a timed-out send is found.
    reference: r.extend?.slice(0, 128) || undefined,
  };
}

/** Huawei's callback formats (docs/providers/huawei.md §4, §5). */
export const huaweiWebhooks: Webhooks = {
  parseStatusReports(body, contentType): Parsed<StatusReport> {
    if (isJson(body, contentType)) {
      const parsed = z.safeParse(batchReportSchema, jsonOf(body));
      if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
      return { ok: true, items: parsed.data.statusReportList.map(toReport) };
    }
    const fields = formFields(body);
    if (!fields) return { ok: false, error: "empty body or repeated field" };
    const parsed = z.safeParse(reportSchema, fields);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    return { ok: true, items: [toReport(parsed.data)] };
  },

  parseReplies(body): Parsed<InboundReply> {
    const fields = formFields(body);
    if (!fields) return { ok: false, error: "empty body or repeated field" };
    const parsed = z.safeParse(replySchema, fields);
    if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
    const r = parsed.data;
    return {
      ok: true,
      items: [
        {
          provider: "huawei",
          phone: toE164(r.from),
          text: r.body.slice(0, 1024),
          // docs/providers/huawei.md §5: no signature in the push; the channel number the user replied to
          // (`to`, possibly with an extension) is what names the signature, so keep it.
          extend: r.to || undefined,
          // `createTime` is only sent when the app enables it (docs/providers/huawei.md §5); else: now.
          receivedAt: utcToIso(r.createTime) ?? new Date().toISOString(),
        },
      ],
    };
  },

  ack(ok): WebhookAck {
    // docs/providers/huawei.md §4.4: "200 OK with an empty body". A refused body gets 400, also empty.
    return { statusCode: ok ? 200 : 400, headers: {}, body: "" };
  },
};
