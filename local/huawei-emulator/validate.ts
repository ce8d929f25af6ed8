/**
 * Request validation as Huawei does it (docs/providers/huawei.md §2.1, §2.3, §2.4, §6; cited
 * below as "docs/providers/huawei.md §n"): the form body of batchSendSms, which refuses the whole request
 * (ApiError, with the HTTP status of §2.4), then the sender, template and per-number checks,
 * which refuse numbers one by one (a status in the answer's `result`).
 */
import { templateVariables } from "../emulator-kit/templates";
import { MAX_NUMBER_LENGTH, type Phone } from "./phone";
import type { HuaweiEmulatorSender, HuaweiEmulatorTemplate } from "./types";

export const FORM_TYPE = "application/x-www-form-urlencoded";
export const JSON_BODY_TYPE = "application/json";
const MAX_NUMBERS_PER_SEND = 500; // docs/providers/huawei.md §2.1 `to`, §6.1
/** docs/providers/huawei.md §2.2: the whole `smsContent` may be at most 64 KB. */
const MAX_DIFF_CONTENT_BYTES = 64 * 1024;
const MAX_CALLBACK_LENGTH = 1024; // docs/providers/huawei.md §2.1 `statusCallback`
const MAX_EXTEND_LENGTH = 128; // docs/providers/huawei.md §2.1 `extend`
const MAX_VERIFICATION_PARAM = 8; // docs/providers/huawei.md §6.2

/** Request-level answers: HTTP status and Huawei's description (docs/providers/huawei.md §2.4). */
export const REQUEST_ERRORS = {
  E000000: [400, "System error."],
  E000040: [400, "ContentType should be application/x-www-form-urlencoded."],
  /** The same code for batchSendDiffSms, whose body is JSON (docs/providers/huawei.md §2.2). */
  E000040json: [400, "ContentType should be application/json."],
  E000503: [400, "Parameter format error."],
  E000510: [400, "The SMS fails to be sent. For details, see status."],
} as const;

type RequestErrorCode = keyof typeof REQUEST_ERRORS;

/**
 * Per-number statuses. docs/providers/huawei.md §2.3 documents E200015/28/29/30/31/33/41 for the send answer;
 * §4.3 lists E200018/22/25 as platform codes. Which of them the send answer uses for which
 * check is Inferred, noted where each is raised.
 */
export const STATUS = {
  ok: "000000",
  /** Inferred: E000503's meaning includes "bad phone format" (docs/providers/huawei.md §2.4). */
  badNumber: "E000503",
  /** docs/providers/huawei.md §2.3 "too many SMS to be sent": the simulator's per-number refusal ("44"). */
  tooMany: "E200015",
  /** §4.3 "CN sender channel check failed": `from` is no known channel number. */
  unknownSender: "E200018",
  /** §4.3 "CN recipient channel check failed": a mainland channel given a non-+86 number. */
  mainlandChannelMismatch: "E200022",
  /** §4.3 "international recipient channel check failed": an international channel given +86. */
  internationalChannelMismatch: "E200025",
  /** §2.3 "template variable check failed". */
  badParams: "E200028",
  /** §2.3 "template type check failed": template of another channel, or signature missing. */
  templateMismatch: "E200029",
  /** §2.3 "template not active": also used for a template id the platform does not know. */
  unknownTemplate: "E200030",
} as const;

/** A request-level vendor error: `{code, description}` with the HTTP status of §2.4. */
export class ApiError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    readonly description: string = REQUEST_ERRORS[code][1],
  ) {
    super(`${code}: ${description}`);
  }

  get status(): number {
    return REQUEST_ERRORS[this.code][0];
  }

  /** The code on the wire (the JSON variant of E000040 is E000040 too). */
  get wireCode(): string {
    return this.code.replace(/json$/, "");
  }
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(value: string | undefined): string {
  return (value ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** docs/providers/huawei.md §2.1: the body must be form-encoded, else E000040. */
export function requireForm(contentType: string | undefined): void {
  if (mediaType(contentType) !== FORM_TYPE) throw new ApiError("E000040");
}

/** docs/providers/huawei.md §2.2: batchSendDiffSms takes `application/json`, else E000040. */
export function requireJson(contentType: string | undefined): void {
  if (mediaType(contentType) !== JSON_BODY_TYPE) throw new ApiError("E000040json");
}

// ---------------------------------------------------------------------------------------------
// The form (docs/providers/huawei.md §2.1)

export interface SendForm {
  from: string;
  /** As sent, de-duplicated in order (docs/providers/huawei.md §2.3: "Numbers are de-duplicated"). */
  numbers: string[];
  templateId: string;
  params: string[];
  statusCallback: string;
  extend: string;
  signature: string;
}

/**
 * docs/providers/huawei.md §2.1 `to`: comma-separated, no spaces, ≤ 500 numbers; more than 500, or any
 * character other than digit or `+`, fails the whole request (E000503).
 */
function parseNumbers(to: string | null): string[] {
  if (!to) throw new ApiError("E000503", "to is missing.");
  const numbers = to.split(",");
  if (numbers.some((n) => !/^[0-9+]+$/.test(n))) {
    throw new ApiError("E000503", "to may only contain digits, + and commas.");
  }
  if (numbers.length > MAX_NUMBERS_PER_SEND) {
    throw new ApiError("E000503", `to has more than ${MAX_NUMBERS_PER_SEND} numbers.`);
  }
  return [...new Set(numbers)];
}

/**
 * docs/providers/huawei.md §2.1 `templateParas`: a JSON array serialised as a string; left out (or empty)
 * for templates without variables. §2.4 E000000: wrong quoting is a "system error".
 */
function parseParams(text: string | null): string[] {
  if (text === null || text === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("E000000", "templateParas is not a JSON array.");
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) {
    throw new ApiError("E000000", "templateParas must be a JSON array of strings.");
  }
  return parsed;
}

export function parseSendForm(body: Buffer): SendForm {
  const form = new URLSearchParams(body.toString("utf8"));
  const from = form.get("from") ?? "";
  if (from === "" || from.length > MAX_NUMBER_LENGTH) {
    throw new ApiError("E000503", "from must be 1-21 characters.");
  }
  const numbers = parseNumbers(form.get("to"));
  const templateId = form.get("templateId") ?? "";
  if (templateId === "" || templateId.length > 32) {
    throw new ApiError("E000503", "templateId must be 1-32 characters.");
  }
  const statusCallback = form.get("statusCallback") ?? "";
  if (statusCallback.length > MAX_CALLBACK_LENGTH) {
    throw new ApiError("E000503", "statusCallback is longer than 1024 characters.");
  }
  // docs/providers/huawei.md §2.1 `extend`: 1-128 chars, no empty value, no { or }.
  const extend = form.get("extend");
  if (
    extend !== null &&
    (extend === "" || extend.length > MAX_EXTEND_LENGTH || /[{}]/.test(extend))
  ) {
    throw new ApiError("E000503", "extend must be 1-128 characters without { or }.");
  }
  return {
    from,
    numbers,
    templateId,
    params: parseParams(form.get("templateParas")),
    statusCallback,
    extend: extend ?? "",
    signature: form.get("signature") ?? "",
  };
}

// ---------------------------------------------------------------------------------------------
// The JSON body of batchSendDiffSms (docs/providers/huawei.md §2.2)

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * `{from, statusCallback?, extend?, smsContent: [{to: string[], templateId, templateParas?:
 * string[], signature?}]}` → one SendForm per content item, sharing from, statusCallback and
 * extend. `to` and `templateParas` are real JSON arrays here (§2.2, not strings as in §2.1).
 * docs/providers/huawei.md §9 leaves open whether the 500-number limit is per item or per
 * request: the emulator holds each item to 500 numbers (the likelier reading) and the whole
 * `smsContent` to 64 KB.
 */
export function parseDiffBody(body: Buffer): SendForm[] {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ApiError("E000000", "The body is not JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ApiError("E000000", "The body must be a JSON object.");
  const form = new URLSearchParams();
  for (const k of ["from", "statusCallback", "extend"] as const)
    if (typeof parsed[k] === "string") form.set(k, parsed[k] as string);
  const contents = parsed.smsContent;
  if (!Array.isArray(contents) || contents.length === 0)
    throw new ApiError("E000503", "smsContent must be a non-empty array.");
  if (Buffer.byteLength(JSON.stringify(contents)) > MAX_DIFF_CONTENT_BYTES)
    throw new ApiError("E000503", "smsContent is larger than 64 KB.");
  return contents.map((c: unknown) => {
    const item = (typeof c === "object" && c !== null ? c : {}) as Record<string, unknown>;
    if (!isStrings(item.to) || item.to.length === 0)
      throw new ApiError("E000503", "smsContent[].to must be a non-empty array of numbers.");
    if (item.templateParas !== undefined && !isStrings(item.templateParas))
      throw new ApiError("E000000", "smsContent[].templateParas must be an array of strings.");
    const one = new URLSearchParams(form);
    one.set("to", item.to.join(","));
    one.set("templateId", typeof item.templateId === "string" ? item.templateId : "");
    if (item.templateParas) one.set("templateParas", JSON.stringify(item.templateParas));
    if (typeof item.signature === "string") one.set("signature", item.signature);
    return parseSendForm(Buffer.from(one.toString()));
  });
}

// ---------------------------------------------------------------------------------------------
// Sender, template and number checks

/** Variables {1}, {2}, … and Huawei's own ${1} form (HuaweiEmulatorTemplate.body). */
export const VARIABLE = /\$?\{(\d+)\}/g;

/**
 * docs/providers/huawei.md §6.3: count must match, every variable needs a non-empty value; §6.2: a
 * verification template has one variable of at most 8 characters. Bad values → E200028.
 */
function paramsFit(template: HuaweiEmulatorTemplate, params: string[]): boolean {
  if (params.length !== templateVariables(template.body, VARIABLE).length) return false;
  if (params.some((param) => param === "")) return false;
  if (template.verification) {
    return params.length === 1 && Array.from(params[0] ?? "").length <= MAX_VERIFICATION_PARAM;
  }
  // §6.3: TEXT and the other types take 1–20 characters; TEXT refuses . 。 ' < > { }.
  if (!template.typedVariables) return true;
  return params.every((param) => Array.from(param).length <= 20 && !/[.。'<>{}]/.test(param));
}

/** The status that refuses every number of the request, if any (unknown sender/template, …). */
export function requestStatus(
  form: SendForm,
  sender: HuaweiEmulatorSender | undefined,
  template: HuaweiEmulatorTemplate | undefined,
): string | undefined {
  if (!sender) return STATUS.unknownSender;
  if (!template) return STATUS.unknownTemplate;
  if (template.sender !== undefined && template.sender !== sender.sender) {
    return STATUS.templateMismatch;
  }
  if (template.universal && form.signature === "") return STATUS.templateMismatch;
  if (!paramsFit(template, form.params)) return STATUS.badParams;
  return undefined;
}

/** The vendor's checks of one parsed number, in the order Huawei would make them. */
export function numberStatus(
  checked: { requestStatus: string | undefined; sender: HuaweiEmulatorSender | undefined },
  phone: Phone,
): string | undefined {
  if (checked.requestStatus) return checked.requestStatus;
  if (checked.sender?.international && phone.mainland) {
    return STATUS.internationalChannelMismatch;
  }
  if (!checked.sender?.international && !phone.mainland) return STATUS.mainlandChannelMismatch;
  return undefined;
}
