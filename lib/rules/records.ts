/** Message records: how a recipient's fate becomes a record, an answer and a public view. */
import { type ErrorCode, messageFor } from "../core/errors";
import { messageIdForSerial } from "../core/ids";
import type { App, MessageRecord, PerNumberResult, ProviderName, Template } from "../core/model";
import type { Phone } from "../core/phone";
import type { NumberOutcome } from "../providers/port";
import { render, withSignature } from "./template";

/** Everything a record shares with the other recipients of its request. */
export interface RecordBase {
  app: App;
  template: Template;
  params: string[];
  sign: string | undefined;
  context: string | undefined;
  /** The campaign that sent it, if one did (its records are searchable by it). */
  campaign?: string;
  requestId: string;
  provider: ProviderName;
  /** The vendor account the numbers were handed to (lib/core/binding.ts). */
  binding?: string;
  at: string;
  /** App-local day and hour of the send. */
  day: string;
  hour: string;
  newId: () => string;
}

/** What we keep of params: verification codes never reach the table in clear. */
export function storedParams(template: Template, params: string[]): string[] {
  return template.kind === "verification" ? params.map((p) => "*".repeat(p.length)) : params;
}

/** The content as the handset shows it, with what we keep of the params (codes masked). */
export function storedText(b: Pick<RecordBase, "template" | "params" | "sign">): string {
  return withSignature(
    render(b.template.body, storedParams(b.template, b.params)),
    b.sign,
    b.template.region,
  );
}

function common(b: RecordBase, phone: Phone) {
  const text = storedText(b);
  return {
    appId: b.app.appId,
    requestId: b.requestId,
    to: phone.e164,
    country: phone.country,
    template: b.template.id,
    templateKind: b.template.kind,
    params: storedParams(b.template, b.params),
    text,
    length: [...text].length,
    sign: b.sign,
    context: b.context,
    ...(b.campaign ? { campaign: b.campaign } : {}),
    provider: b.provider,
    ...(b.binding ? { binding: b.binding } : {}),
    createdAt: b.at,
    day: b.day,
    hour: b.hour,
  };
}

/** A recipient smsgate's own rules refused: never sent, never billed. */
export function rejectedRecord(b: RecordBase, phone: Phone, code: ErrorCode): MessageRecord {
  return {
    ...common(b, phone),
    id: b.newId(),
    status: "rejected",
    code,
    message: messageFor(code),
    segments: 0,
    history: [{ status: "rejected", at: b.at, code }],
  };
}

/**
 * A recipient about to be handed to the vendor: written before the vendor call, so a function
 * that dies after it still leaves a record — `unknown`, reconciled from the vendor's reports.
 */
export function inFlightRecord(b: RecordBase, phone: Phone): MessageRecord {
  return {
    ...common(b, phone),
    id: b.newId(),
    status: "unknown",
    code: "InternalError.SendInterrupted",
    message: messageFor("InternalError.SendInterrupted"),
    segments: 0,
    history: [{ status: "unknown", at: b.at, code: "InternalError.SendInterrupted" }],
  };
}

/** A recipient handed to the vendor, with what the vendor said. */
export function vendorRecord(b: RecordBase, phone: Phone, o: NumberOutcome): MessageRecord {
  const base = common(b, phone);
  switch (o.status) {
    case "accepted":
      return {
        ...base,
        id: messageIdForSerial(b.provider, o.serial),
        country: o.country !== "DEF" ? o.country : base.country,
        status: "submitted",
        code: "Ok",
        segments: o.segments,
        providerMessageId: o.serial,
        submittedAt: b.at,
        history: [{ status: "submitted", at: b.at }],
      };
    case "refused":
      return {
        ...base,
        id: b.newId(),
        status: "failed",
        code: o.code,
        message:
          o.code === "FailedOperation.ProviderRejected"
            ? `${messageFor(o.code)} (${o.vendorCode})`
            : messageFor(o.code),
        vendorCode: o.vendorCode,
        segments: 0,
        history: [{ status: "failed", at: b.at, code: o.vendorCode }],
      };
    case "unknown":
      return {
        ...base,
        id: b.newId(),
        status: "unknown",
        code: o.code,
        message: messageFor(o.code),
        vendorCode: o.vendorCode,
        segments: 0,
        history: [{ status: "unknown", at: b.at, code: o.code }],
      };
  }
}

export const EXPIRE_AFTER_MS = 72 * 3600_000;

/** A submitted message with no report 72 h after submission is expired (docs/api.md). */
export function withExpiry(r: MessageRecord, now: number): MessageRecord {
  if (r.status !== "submitted" || !r.submittedAt) return r;
  const due = Date.parse(r.submittedAt) + EXPIRE_AFTER_MS;
  if (now < due) return r;
  const at = new Date(due).toISOString();
  return { ...r, status: "expired", history: [...r.history, { status: "expired", at }] };
}

/** One entry of the send answer. */
export function resultOf(r: MessageRecord): PerNumberResult {
  return {
    to: r.to,
    id: r.id,
    status: r.status,
    code: r.code,
    ...(r.message ? { message: r.message } : {}),
    segments: r.segments,
    country: r.country,
  };
}

/** The public view of a record (GET /v1/messages/{id}). */
export function publicRecord(r: MessageRecord) {
  return {
    id: r.id,
    to: r.to,
    template: r.template,
    kind: r.templateKind,
    params: r.params,
    text: r.text,
    length: r.length,
    sign: r.sign,
    status: r.status,
    code: r.code,
    message: r.message,
    segments: r.segments,
    country: r.country,
    context: r.context,
    campaign: r.campaign,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    carrierCode: r.carrierCode,
    createdAt: r.createdAt,
    submittedAt: r.submittedAt,
    reportedAt: r.reportedAt,
    receivedAt: r.receivedAt,
    history: r.history,
  };
}

/** What a records search may ask for besides time (docs/api.md "GET /v1/messages"). */
export interface RecordFilter {
  status?: string;
  template?: string;
  sign?: string;
  campaign?: string;
}

/** Whether a record (its report merged, expiry applied) passes the search's filters. */
export function matchesRecord(r: MessageRecord, f: RecordFilter): boolean {
  return (
    (!f.status || r.status === f.status) &&
    (!f.template || r.template === f.template) &&
    (!f.sign || r.sign === f.sign) &&
    (!f.campaign || r.campaign === f.campaign)
  );
}
