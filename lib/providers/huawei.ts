/**
 * Huawei Cloud MSGSMS adapter over node:http (lib/core/http-request.ts; Huawei publishes no Node SDK; docs/providers/huawei.md §0.1).
 * Sends with `POST /sms/batchSendSms/v1` (one content: form-encoded, X-WSSE), or, when the
 * numbers of a batch have different params, `POST /sms/batchSendDiffSms/v1` (a content per
 * group of numbers: JSON, the same X-WSSE; §2.2); maps every number to one outcome and never
 * throws for vendor faults. Reads the status-report and upstream-reply
 * pushes (docs/providers/huawei.md §4, §5). Section numbers cite /work/shared/providers/huawei.md.
 */
import { createHash, randomUUID } from "node:crypto";
import * as z from "zod/mini";
import type { ErrorCode } from "../core/errors";
import { httpRequest } from "../core/http-request";
import type { NumberOutcome, Provider, SendBatch } from "./port";

export interface HuaweiSettings {
  /** The SMS application's app_key / app_secret (not IAM keys; docs/providers/huawei.md §3). */
  appKey: string;
  appSecret: string;
  /** The APP access address, e.g. https://smsapi.cn-north-4.myhuaweicloud.com:443, or the emulator URL. */
  endpoint: string;
  timeoutSeconds: number;
  /** Channel number (通道号) used when the binding names none. */
  defaultSender?: string;
}

const SEND_PATH = "/sms/batchSendSms/v1";
const DIFF_PATH = "/sms/batchSendDiffSms/v1";
const MAX_BATCH = 500; // docs/providers/huawei.md §2.1 `to`, §6.1
/**
 * docs/providers/huawei.md §2.2: the whole `smsContent` may be at most 64 KB; a batch whose
 * contents would pass this (a margin under it) is sent in more than one call.
 */
const MAX_DIFF_CONTENT_BYTES = 60 * 1024;
const OK = "000000";

type WithoutTo<T> = T extends unknown ? Omit<T, "to"> : never;

function all(numbers: string[], outcome: WithoutTo<NumberOutcome>): NumberOutcome[] {
  return numbers.map((to) => ({ ...outcome, to }) as NumberOutcome);
}

// ---------------------------------------------------------------------------------------------
// Request building

/** UTC `yyyy-MM-dd'T'HH:mm:ss'Z'` (docs/providers/huawei.md §3.1 Created). */
function utcSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * The X-WSSE headers (docs/providers/huawei.md §3.1). PasswordDigest = Base64(SHA256(Nonce+Created+secret))
 * with the base64 taken over the lowercase HEX string: docs/providers/huawei.md §0.3 — that is the form of
 * the doc's own example header, and of Huawei's Python/PHP/old Java samples; the raw-bytes
 * form is only inferred to work too.
 */
export function wsseAuthHeaders(
  appKey: string,
  appSecret: string,
  nonce: string,
  created: string,
): { Authorization: string; "X-WSSE": string } {
  const hex = createHash("sha256").update(`${nonce}${created}${appSecret}`, "utf8").digest("hex");
  const digest = Buffer.from(hex, "utf8").toString("base64");
  return {
    Authorization: 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
    "X-WSSE": `UsernameToken Username="${appKey}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`,
  };
}

/** docs/providers/huawei.md §2.1 `extend`: 1-128 chars, no `{` or `}`; anything else would fail the request. */
function validExtend(reference: string): boolean {
  return reference.length >= 1 && reference.length <= 128 && !/[{}]/.test(reference);
}

/**
 * The form body in the SDK's field order (docs/providers/huawei.md §2.1): from, to, templateId,
 * templateParas, statusCallback, extend, signature. URLSearchParams writes `+` as `%2B`, so
 * "+86…" survives (a bare `+` would decode to a space and fail the whole request).
 */
export function sendForm(from: string, batch: SendBatch): URLSearchParams {
  const form = new URLSearchParams();
  form.set("from", from);
  form.set("to", batch.numbers.join(","));
  form.set("templateId", batch.providerTemplateId);
  // docs/providers/huawei.md §2.1: left out for templates without variables.
  if (batch.params.length > 0) form.set("templateParas", JSON.stringify(batch.params));
  if (batch.statusCallbackUrl) form.set("statusCallback", batch.statusCallbackUrl);
  // Echoed in the status report (§4.1), so a timed-out send can be reconciled.
  if (validExtend(batch.reference)) form.set("extend", batch.reference);
  // docs/providers/huawei.md §2.1 `signature`: only takes effect (and is then required) for universal
  // templates; a template with a fixed signature ignores it, so sending it is harmless.
  if (batch.sign) form.set("signature", batch.sign);
  return form;
}

/** One `SmsContent` of batchSendDiffSms (docs/providers/huawei.md §2.2): real JSON arrays. */
interface SmsContent {
  to: string[];
  templateId: string;
  templateParas?: string[];
  signature?: string;
}

/**
 * The numbers of a batch grouped by their params, in first-seen order: one `SmsContent` each.
 * `paramsByNumber` overrides `params` per number.
 */
export function diffContents(batch: SendBatch): SmsContent[] {
  const groups = new Map<string, SmsContent>();
  for (const to of batch.numbers) {
    const params = batch.paramsByNumber?.get(to) ?? batch.params;
    const k = JSON.stringify(params);
    const g = groups.get(k);
    if (g) g.to.push(to);
    else
      groups.set(k, {
        to: [to],
        templateId: batch.providerTemplateId,
        // §2.1: left out for templates without variables (the same holds for §2.2).
        ...(params.length > 0 ? { templateParas: params } : {}),
        ...(batch.sign ? { signature: batch.sign } : {}),
      });
  }
  return [...groups.values()];
}

/**
 * The JSON bodies of batchSendDiffSms for a batch: `{from, statusCallback?, extend?,
 * smsContent}` with the contents split over as few calls as keep each `smsContent` within
 * 64 KB (§2.2). Each body names its numbers, in the batch's order of contents.
 */
export function diffBodies(from: string, batch: SendBatch): { body: string; numbers: string[] }[] {
  const head = {
    from,
    ...(batch.statusCallbackUrl ? { statusCallback: batch.statusCallbackUrl } : {}),
    ...(validExtend(batch.reference) ? { extend: batch.reference } : {}),
  };
  const out: { body: string; numbers: string[] }[] = [];
  let contents: SmsContent[] = [];
  let bytes = 2;
  const flush = () => {
    if (contents.length === 0) return;
    out.push({
      body: JSON.stringify({ ...head, smsContent: contents }),
      numbers: contents.flatMap((c) => c.to),
    });
    contents = [];
    bytes = 2;
  };
  for (const c of diffContents(batch)) {
    const size = Buffer.byteLength(JSON.stringify(c)) + 1;
    if (bytes + size > MAX_DIFF_CONTENT_BYTES) flush();
    contents.push(c);
    bytes += size;
  }
  flush();
  return out;
}

/** Whether the numbers of a batch need more than one content (different params). */
function hasDifferentParams(batch: SendBatch): boolean {
  if (!batch.paramsByNumber?.size) return false;
  const shared = JSON.stringify(batch.params);
  return batch.numbers.some((n) => {
    const own = batch.paramsByNumber?.get(n);
    return own !== undefined && JSON.stringify(own) !== shared;
  });
}

/** The channel number for a batch: per signature, then the binding's, then the deployment's. */
export function channelFor(batch: SendBatch, defaultSender?: string): string | undefined {
  const bySign = batch.sign === undefined ? undefined : batch.binding.senders?.[batch.sign];
  return bySign ?? batch.binding.sender ?? defaultSender;
}

// ---------------------------------------------------------------------------------------------
// Outcome mapping

const smsIdSchema = z.object({
  originTo: z.string(),
  smsMsgId: z.optional(z.string()),
  status: z.string(),
  countryId: z.optional(z.string()),
  total: z.optional(z.number().check(z.refine(Number.isInteger))),
  from: z.optional(z.string()),
  createTime: z.optional(z.string()),
});

/** docs/providers/huawei.md §2.3: `{code, description, result?}`; error bodies share the shape (§2.4). */
const responseSchema = z.object({
  code: z.string(),
  description: z.optional(z.string()),
  result: z.optional(z.array(smsIdSchema)),
});

type SmsId = z.output<typeof smsIdSchema>;

/**
 * Per-number statuses onto the catalogue. docs/providers/huawei.md §2.3 documents E200015/28/29/30/33/41;
 * the others are §4.3 report codes that may also appear here (UNCONFIRMED).
 */
const PER_NUMBER: Record<string, [ErrorCode, string]> = {
  E000503: ["InvalidParameterValue.IncorrectPhoneNumber", "parameter format error (phone number)"],
  E200015: ["LimitExceeded.DeliveryFrequencyLimit", "too many SMS to be sent"],
  E200028: [
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "template variable check failed",
  ],
  // yunion maps E200029 to "bad signature name" (docs/providers/huawei.md §7): the signature's type must
  // match the template's.
  E200029: ["FailedOperation.SignatureIncorrectOrUnapproved", "template type check failed"],
  E200030: ["FailedOperation.TemplateUnapprovedOrNotExist", "template not active"],
  E200032: ["FailedOperation.TemplateUnapprovedOrNotExist", "SMS needs a template"],
  E200033: ["FailedOperation.ProviderRejected", "wrong template type"],
  E200041: ["FailedOperation.ProviderRejected", "duplicate number in the same content"],
  BLACK: ["FailedOperation.PhoneNumberInBlacklist", "number on a blacklist"],
  MBBLACK: ["FailedOperation.PhoneNumberInBlacklist", "number on a blacklist"],
  MILIMIT: ["LimitExceeded.DeliveryFrequencyLimit", "per-minute limit of the number reached"],
  LIMIT: ["LimitExceeded.DeliveryFrequencyLimit", "sending limit of the number reached"],
};

function numberOutcome(to: string, item: SmsId | undefined): NumberOutcome {
  if (!item) {
    return {
      status: "unknown",
      to,
      code: "InternalError.ProviderBadResponse",
      message: "number missing from result",
    };
  }
  if (item.status === OK) {
    if (!item.smsMsgId) {
      return {
        status: "unknown",
        to,
        code: "InternalError.ProviderBadResponse",
        vendorCode: OK,
        message: "accepted without smsMsgId",
      };
    }
    return {
      status: "accepted",
      to,
      serial: item.smsMsgId,
      segments: item.total ?? 1,
      country: item.countryId || "DEF",
    };
  }
  const [code, message] = PER_NUMBER[item.status] ?? ["FailedOperation.ProviderRejected", ""];
  return {
    status: "refused",
    to,
    code,
    vendorCode: item.status,
    message: message || item.status,
    failover: false,
  };
}

/** docs/providers/huawei.md §2.4: E000001–E000024 (X-WSSE header shape) and the 401 group E0001xx. */
function isAuthCode(code: string): boolean {
  const match = /^E000(\d{3})$/.exec(code);
  const n = Number(match?.[1] ?? Number.NaN);
  return (n >= 1 && n <= 24) || (n >= 100 && n <= 199);
}

/** A request-level answer that carries no per-number result. */
function requestOutcome(
  httpStatus: number,
  code: string,
  description: string,
  numbers: string[],
): NumberOutcome[] {
  const message = description || code;
  if (httpStatus === 401 || isAuthCode(code) || code === "E000620") {
    // E000620: the client IP is not on the app's whitelist (403) — a settings problem too.
    return all(numbers, {
      status: "refused",
      code: "FailedOperation.ProviderAuthFailure",
      vendorCode: code,
      message,
      failover: false,
    });
  }
  // E000623 (403, docs/providers/huawei.md §0.5/§6.4, mapping UNCONFIRMED): the account passed its
  // 限额值 and Huawei paused sending. That is explicit throttling — nothing was sent and
  // another provider is not bound by Huawei's quota — so failing over is safe.
  return all(numbers, {
    status: "refused",
    code: "FailedOperation.ProviderRejected",
    vendorCode: code,
    message,
    failover: code === "E000623",
  });
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Maps Huawei's HTTP answer onto the batch, one outcome per number in the batch's order:
 * a `result` (with "000000", or E000510 "see status") gives per-number outcomes; any other
 * code is request-level; 5xx/429 are "unavailable" (certainly not sent: fail over); an
 * unreadable 200 is "unknown" (it may have sent).
 */
export function outcomeOfResponse(
  httpStatus: number,
  bodyText: string,
  numbers: string[],
): NumberOutcome[] {
  if (httpStatus >= 500 || httpStatus === 429) {
    return all(numbers, {
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: `HTTP ${httpStatus}`,
      message: bodyText.slice(0, 200) || `HTTP ${httpStatus}`,
      failover: true,
    });
  }
  const parsed = z.safeParse(responseSchema, jsonOf(bodyText));
  if (!parsed.success) {
    if (httpStatus === 200) {
      return all(numbers, {
        status: "unknown",
        code: "InternalError.ProviderBadResponse",
        vendorCode: "HTTP 200",
        message: "batchSendSms answered something that is not its JSON envelope",
      });
    }
    // A 4xx without Huawei's envelope (e.g. 404 for a wrong access address, docs/providers/huawei.md §1):
    // the request was refused before any processing.
    const authLike = httpStatus === 401;
    return all(numbers, {
      status: "refused",
      code: authLike ? "FailedOperation.ProviderAuthFailure" : "FailedOperation.ProviderRejected",
      vendorCode: `HTTP ${httpStatus}`,
      message: bodyText.slice(0, 200) || `HTTP ${httpStatus}`,
      failover: false,
    });
  }
  const { code, description, result } = parsed.data;
  if (result) {
    const byNumber = new Map(result.map((item) => [item.originTo, item]));
    return numbers.map((to) => numberOutcome(to, byNumber.get(to)));
  }
  if (code === OK) {
    return all(numbers, {
      status: "unknown",
      code: "InternalError.ProviderBadResponse",
      vendorCode: OK,
      message: "success without a result",
    });
  }
  return requestOutcome(httpStatus, code, description ?? "", numbers);
}

interface FetchFailure {
  name?: string;
  message?: string;
  cause?: { code?: string; errors?: { code?: string }[] };
}

/** Network errors that prove the request never reached Huawei. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

function causeCode(err: FetchFailure): string | undefined {
  const cause = err.cause;
  return cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
}

/** Maps what the request threw (nothing was answered; fetch's shapes) onto the batch. */
export function outcomeOfFailure(err: unknown, numbers: string[]): NumberOutcome[] {
  const e = (err ?? {}) as FetchFailure;
  const message = String(e.message ?? err);
  if (e.name === "TimeoutError" || e.name === "AbortError") {
    return all(numbers, {
      status: "unknown",
      code: "InternalError.ProviderTimeout",
      vendorCode: "Timeout",
      message,
    });
  }
  const cause = causeCode(e);
  if (cause && NOT_SENT.has(cause)) {
    return all(numbers, {
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: cause,
      message: `${message} (${cause})`,
      failover: true,
    });
  }
  // Resets mid-request and the like: Huawei may have sent.
  return all(numbers, {
    status: "unknown",
    code: "InternalError.ProviderBadResponse",
    vendorCode: cause ?? e.name ?? "Error",
    message,
  });
}

// ---------------------------------------------------------------------------------------------
// Provider

/** Builds the Huawei provider (no client state: one request per call, keep-alive sockets). */
export function createHuaweiProvider(settings: HuaweiSettings): Provider {
  const base = settings.endpoint.replace(/\/+$/, "");

  /** One call; its numbers each get an outcome, whatever happens. */
  async function post(path: string, contentType: string, body: string, numbers: string[]) {
    const nonce = randomUUID().replaceAll("-", "").toUpperCase();
    const headers = {
      "Content-Type": contentType,
      Accept: "application/json",
      ...wsseAuthHeaders(settings.appKey, settings.appSecret, nonce, utcSeconds(Date.now())),
    };
    try {
      // The timeout covers reading the body too.
      const response = await httpRequest(`${base}${path}`, {
        method: "POST",
        headers,
        body,
        timeoutMs: settings.timeoutSeconds * 1000,
      });
      return outcomeOfResponse(response.status, response.text, numbers);
    } catch (err) {
      return outcomeOfFailure(err, numbers);
    }
  }

  return {
    name: "huawei",
    maxBatch: MAX_BATCH,
    perNumberParams: true,

    async send(batch: SendBatch): Promise<NumberOutcome[]> {
      const from = channelFor(batch, settings.defaultSender);
      if (!from) {
        return all(batch.numbers, {
          status: "refused",
          code: "FailedOperation.ProviderRejected",
          vendorCode: "NoSender",
          message: "no Huawei channel number (sender) is configured for this signature",
          failover: false,
        });
      }
      if (!hasDifferentParams(batch))
        return post(
          SEND_PATH,
          "application/x-www-form-urlencoded",
          sendForm(from, batch).toString(),
          batch.numbers,
        );
      // Different params per number: one batchSendDiffSms call (more only past 64 KB), its
      // result per number mapped exactly as batchSendSms's (§2.3: the same response).
      const calls = await Promise.all(
        diffBodies(from, batch).map((c) => post(DIFF_PATH, "application/json", c.body, c.numbers)),
      );
      const byNumber = new Map(calls.flat().map((o) => [o.to, o]));
      return batch.numbers.map((to) => byNumber.get(to) as NumberOutcome);
    },
  };
}
