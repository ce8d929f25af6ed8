/**
 * Huawei Cloud MSGSMS emulator: speaks the real `batchSendSms` wire protocol (X-WSSE headers,
 * form-encoded body, `{code, description, result}` answers) on loopback, so the production
 * adapter (lib/providers/huawei.ts) can talk to it unmodified with `endpoint: emulator.url`.
 *
 * Reference: /work/shared/providers/huawei.md (cited as "huawei.md §n") and API.md
 * "Local stack" (control API, simulator numbers). Where huawei.md leaves something open, the
 * choice is marked "Inferred" or "UNCONFIRMED" next to the code that makes it.
 *
 * Vendor API: POST /sms/batchSendSms/v1 (anything else is 404, as Huawei answers a wrongly
 * joined access address, huawei.md §1).
 * Control API (plain JSON, never faulted): GET /_control/messages, POST /_control/reply,
 * POST /_control/faults, POST /_control/templates, POST /_control/senders, POST /_control/reset.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import {
  answerFault,
  ControlError,
  type ControlRoutes,
  EmulatorCoreBase,
  type Json,
  loopbackHost,
  optionalStringField,
  type Push,
  renderTemplate,
  requireString,
  sendJson,
  sendText,
  serveEmulator,
  simulatorBehaviour,
  templateVariables,
} from "../emulator-kit";
import { internationalSegments, mainlandSegments } from "../tencent-emulator/fee";
import { verifyWsse, wsseCreated } from "./wsse";

// ---------------------------------------------------------------------------------------------
// Public types

export type HuaweiFaultMode = "none" | "timeout" | "http500" | "badjson";

export interface HuaweiEmulatorCredential {
  appKey: string;
  appSecret: string;
  /** The app's 上行短信接收地址 (huawei.md §5: set per application, not per request). */
  replyCallbackUrl?: string;
}

/** A channel number (通道号) the platform gave a signature (huawei.md §2.1 `from`). */
export interface HuaweiEmulatorSender {
  sender: string;
  /** The signature behind the channel; prefixed as 【signature】 on mainland SMS. */
  signature?: string;
  /** International channel: sends only outside the mainland; mainland channels only to +86. */
  international?: boolean;
}

export interface HuaweiEmulatorTemplate {
  id: string;
  /** Template text with variables {1}, {2}, … (Huawei's own ${1} form is accepted too). */
  body: string;
  /** If given, only this channel number may use the template. */
  sender?: string;
  /** Universal (通用) template: no fixed signature, `signature` required (huawei.md §2.1, §6.2). */
  universal?: boolean;
  /** Verification-code template: one variable, at most 8 characters (huawei.md §6.2). */
  verification?: boolean;
}

export interface HuaweiEmulatorOptions {
  /** 0 or undefined → a free port. */
  port?: number;
  /** Default "127.0.0.1"; anything that is not loopback is refused. */
  host?: string;
  credentials: HuaweiEmulatorCredential[];
  senders?: HuaweiEmulatorSender[];
  templates?: HuaweiEmulatorTemplate[];
  /** Delay before status reports are pushed, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response before destroying the socket, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock for the ±24 h Created check and all vendor timestamps (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

export interface ControlMessage {
  /** The number as sent (`originTo`). */
  phone: string;
  /** smsMsgId; "" when refused. */
  serial: string;
  templateId: string;
  params: string[];
  /** The signature the message carries ("" if none is known). */
  sign: string;
  /** "000000" or the per-number status code. */
  code: string;
  /** ISO time the send was processed. */
  at: string;
  /** Billed segments (`total`); 0 when refused. */
  fee: number;
  extend: string;
  /** The channel number (`from`). */
  sender: string;
}

export interface ReplyInput {
  phone: string;
  text: string;
  /** Picks the channel number (`to`) whose signature this is. */
  sign?: string;
  appKey?: string;
}

export interface HuaweiEmulator {
  /** "http://127.0.0.1:PORT" — the adapter's `endpoint`. */
  url: string;
  port: number;
  messages(): ControlMessage[];
  setFault(mode: HuaweiFaultMode): void;
  /** Upsert by id. */
  addTemplate(template: HuaweiEmulatorTemplate): void;
  /** Upsert by channel number. */
  addSender(sender: HuaweiEmulatorSender): void;
  /** Sets an app's reply callback URL; throws for an unknown appKey. */
  setReplyUrl(appKey: string, url: string): void;
  /** Same as POST /_control/reply; rejects if the push was not acknowledged. */
  reply(input: ReplyInput): Promise<void>;
  /** Clear messages, pending reports and the fault. Credentials, senders, templates stay. */
  reset(): void;
  /** Stop the server and all timers; pending pushes are dropped. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

const SEND_PATH = "/sms/batchSendSms/v1";
const FORM_TYPE = "application/x-www-form-urlencoded";
/** huawei.md §2.3: answers are `application/json;charset=UTF-8`. */
const JSON_TYPE = "application/json;charset=UTF-8";
const MAX_NUMBERS_PER_SEND = 500; // huawei.md §2.1 `to`, §6.1
const MAX_NUMBER_LENGTH = 21; // huawei.md §2.1 `to`
const MAX_CALLBACK_LENGTH = 1024; // huawei.md §2.1 `statusCallback`
const MAX_EXTEND_LENGTH = 128; // huawei.md §2.1 `extend`
const MAX_VERIFICATION_PARAM = 8; // huawei.md §6.2
// huawei.md §4.4: Huawei documents NO retry for pushes. The emulator still retries twice
// (200 ms, then 500 ms; our choice) so tests exercise a receiver that sees a push twice.
const PUSH_RETRY_DELAYS_MS = [200, 500];

/** Request-level answers: HTTP status and Huawei's description (huawei.md §2.4). */
const REQUEST_ERRORS = {
  E000000: [400, "System error."],
  E000040: [400, "ContentType should be application/x-www-form-urlencoded."],
  E000503: [400, "Parameter format error."],
  E000510: [400, "The SMS fails to be sent. For details, see status."],
} as const;

type RequestErrorCode = keyof typeof REQUEST_ERRORS;

/**
 * Per-number statuses. huawei.md §2.3 documents E200015/28/29/30/33/41 for the send answer;
 * §4.3 lists E200018/22/25 as platform codes. Which of them the send answer uses for which
 * check is Inferred, noted where each is raised.
 */
const STATUS = {
  ok: "000000",
  /** Inferred: E000503's meaning includes "bad phone format" (huawei.md §2.4). */
  badNumber: "E000503",
  /** huawei.md §2.3 "too many SMS to be sent": the simulator's per-number refusal ("44"). */
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

// ---------------------------------------------------------------------------------------------
// Phone numbers

interface Phone {
  /** "+8613800000000" */
  e164: string;
  mainland: boolean;
  /** ISO 3166 alpha-2 when it can be told (huawei.md §2.3 `countryId`, example "CN"). */
  countryId?: string;
}

/** huawei.md §2.1 `to`: E.164 `+{CC}{NDC}{SN}`, at most 21 chars; mainland mobiles 1xxxxxxxxxx. */
function parsePhone(raw: string): Phone | undefined {
  if (raw.length > MAX_NUMBER_LENGTH || !/^\+[1-9]\d{6,14}$/.test(raw)) return undefined;
  const mainland = raw.startsWith("+86");
  if (mainland && !/^\+861\d{10}$/.test(raw)) return undefined;
  const countryId = mainland ? "CN" : parsePhoneNumberFromString(raw)?.country;
  return { e164: raw, mainland, countryId };
}

/** Replies may name the handset as E.164 or as an 11-digit mainland number. */
function parseReplyPhone(raw: string): Phone | undefined {
  const text = raw.trim();
  return parsePhone(/^1\d{10}$/.test(text) ? `+86${text}` : text);
}

// ---------------------------------------------------------------------------------------------
// Templates

/** Variables {1}, {2}, … and Huawei's own ${1} form (HuaweiEmulatorTemplate.body). */
const VARIABLE = /\$?\{(\d+)\}/g;

/**
 * huawei.md §6.3: count must match, every variable needs a non-empty value; §6.2: a
 * verification template has one variable of at most 8 characters. Bad values → E200028.
 */
function paramsFit(template: HuaweiEmulatorTemplate, params: string[]): boolean {
  if (params.length !== templateVariables(template.body, VARIABLE).length) return false;
  if (params.some((param) => param === "")) return false;
  if (template.verification) {
    return params.length === 1 && Array.from(params[0] ?? "").length <= MAX_VERIFICATION_PARAM;
  }
  return true;
}

/**
 * Billed segments (`total`), computed independently of lib/ with the shared emulator rules
 * (local/tencent-emulator/fee.ts): huawei.md §6.3 "up to 70 chars is 1 SMS, beyond that each
 * 67 counts as 1; signature characters are included" — counted as 【signature】 for the
 * mainland; international: GSM-7 160/153, else UCS-2 70/67, no signature (huawei.md §2.1:
 * "International sends ignore it").
 */
function segmentsFor(body: string, phone: Phone, sign: string): number {
  return phone.mainland ? mainlandSegments(body, sign || undefined) : internationalSegments(body);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** A request-level vendor error: `{code, description}` with the HTTP status of §2.4. */
class ApiError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    readonly description: string = REQUEST_ERRORS[code][1],
  ) {
    super(`${code}: ${description}`);
  }

  get status(): number {
    return REQUEST_ERRORS[this.code][0];
  }
}

/** smsMsgId like the doc examples, `uuid_number` (huawei.md §2.3, §8). */
let msgCounter = 0;
function newSmsMsgId(): string {
  msgCounter += 1;
  return `${randomUUID()}_${msgCounter}`;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(value: string | undefined): string {
  return (value ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

// ---------------------------------------------------------------------------------------------
// Request parsing (huawei.md §2.1)

interface SendForm {
  from: string;
  /** As sent, de-duplicated in order (huawei.md §2.3: "Numbers are de-duplicated"). */
  numbers: string[];
  templateId: string;
  params: string[];
  statusCallback: string;
  extend: string;
  signature: string;
}

/**
 * huawei.md §2.1 `to`: comma-separated, no spaces, ≤ 500 numbers; more than 500, or any
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
 * huawei.md §2.1 `templateParas`: a JSON array serialised as a string; left out (or empty)
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

function parseSendForm(body: Buffer): SendForm {
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
  // huawei.md §2.1 `extend`: 1-128 chars, no empty value, no { or }.
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
// Emulator state and behaviour

interface SmsId {
  originTo: string;
  createTime: string;
  from: string;
  smsMsgId?: string;
  status: string;
  countryId?: string;
  total: number;
}

interface PendingReport {
  url: string;
  smsMsgId: string;
  phone: Phone;
  total: number;
  delivered: boolean;
  extend: string;
}

/** What one request resolved to, shared by all its numbers. */
interface SendContext {
  form: SendForm;
  sender: HuaweiEmulatorSender | undefined;
  template: HuaweiEmulatorTemplate | undefined;
  /** The signature the message carries. */
  sign: string;
  /** A per-request status that refuses every number (unknown sender/template, …). */
  requestStatus: string | undefined;
  createTime: string;
  at: string;
  appKey: string;
}

class EmulatorCore extends EmulatorCoreBase<ControlMessage> {
  private readonly credentials = new Map<string, HuaweiEmulatorCredential>();
  private readonly senders = new Map<string, HuaweiEmulatorSender>();
  private readonly templates = new Map<string, HuaweiEmulatorTemplate>();
  /** Last app and channel that sent to a number, to route replies (huawei.md §5: to + from). */
  private readonly lastSender = new Map<string, { appKey: string; sender: string }>();

  constructor(options: HuaweiEmulatorOptions) {
    super("huawei-emulator", options);
    for (const credential of options.credentials) {
      this.credentials.set(credential.appKey, { ...credential });
    }
    for (const sender of options.senders ?? []) this.addSender(sender);
    for (const template of options.templates ?? []) this.addTemplate(template);
  }

  // --- configuration -------------------------------------------------------------------------

  addSender(sender: HuaweiEmulatorSender): void {
    this.senders.set(sender.sender, { ...sender });
  }

  addTemplate(template: HuaweiEmulatorTemplate): void {
    this.templates.set(template.id, { ...template });
  }

  setReplyUrl(appKey: string, url: string): void {
    const credential = this.credentials.get(appKey);
    if (!credential) throw new ControlError(404, `unknown appKey ${appKey}`);
    credential.replyCallbackUrl = url;
  }

  /** Also forgets reply routing. */
  override reset(): void {
    super.reset();
    this.lastSender.clear();
  }

  // --- vendor API ----------------------------------------------------------------------------

  /** Routes, authenticates, validates and sends; returns HTTP status and JSON body. */
  processVendorRequest(req: IncomingMessage, body: Buffer): [number, Json] {
    try {
      return this.dispatch(req, body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.log(`huawei-emulator: ${error.message}`);
      return [error.status, { code: error.code, description: error.description }];
    }
  }

  private dispatch(req: IncomingMessage, body: Buffer): [number, Json] {
    // huawei.md §2.1: authentication first, then the Content-Type check (E000040).
    const auth = verifyWsse(
      req.headers,
      (appKey) => this.credentials.get(appKey)?.appSecret,
      this.now(),
    );
    if (!auth.ok) {
      this.log(`huawei-emulator: auth ${auth.code}: ${auth.description}`);
      return [auth.status, { code: auth.code, description: auth.description }];
    }
    if (mediaType(req.headers["content-type"]) !== FORM_TYPE) throw new ApiError("E000040");
    return this.batchSendSms(parseSendForm(body), auth.appKey);
  }

  /** huawei.md §2.1/§2.3: one SmsID per (de-duplicated) number. */
  private batchSendSms(form: SendForm, appKey: string): [number, Json] {
    const now = this.now();
    const context = this.resolve(form, appKey, now);
    const pending: PendingReport[] = [];
    const result = form.numbers.map((raw) => this.sendOne(context, raw, pending));
    this.scheduleReports(pending);
    // Inferred (huawei.md §2.3/§2.4): "000000" when anything was accepted; when every number
    // failed, E000510 "see status" (a 400-group code) with the per-number result kept.
    if (result.some((item) => item.status === STATUS.ok)) {
      return [200, { code: "000000", description: "Success", result }];
    }
    const [status, description] = REQUEST_ERRORS.E000510;
    return [status, { code: "E000510", description, result }];
  }

  /** Sender, template and signature checks that apply to every number of the request. */
  private resolve(form: SendForm, appKey: string, now: number): SendContext {
    const sender = this.senders.get(form.from);
    const template = this.templates.get(form.templateId);
    // huawei.md §2.1 `signature`: only a universal template takes it; otherwise the
    // channel's own signature is what the handset shows.
    const sign = template?.universal ? form.signature : (sender?.signature ?? form.signature);
    let requestStatus: string | undefined;
    if (!sender) requestStatus = STATUS.unknownSender;
    else if (!template) requestStatus = STATUS.unknownTemplate;
    else if (template.sender !== undefined && template.sender !== sender.sender) {
      requestStatus = STATUS.templateMismatch;
    } else if (template.universal && form.signature === "") {
      requestStatus = STATUS.templateMismatch;
    } else if (!paramsFit(template, form.params)) requestStatus = STATUS.badParams;
    return {
      form,
      sender,
      template,
      sign,
      requestStatus,
      createTime: wsseCreated(now),
      at: new Date(now).toISOString(),
      appKey,
    };
  }

  /** The status of one number, in the order of the checks Huawei would make. */
  private statusOf(context: SendContext, phone: Phone | undefined): string {
    if (!phone) return STATUS.badNumber;
    if (context.requestStatus) return context.requestStatus;
    if (context.sender?.international && phone.mainland) {
      return STATUS.internationalChannelMismatch;
    }
    if (!context.sender?.international && !phone.mainland) return STATUS.mainlandChannelMismatch;
    // Simulator "44": refused per number. huawei.md §2.3 documents no blacklist status for
    // the send answer; E200015 is the one documented refusal that depends on the recipient.
    if (simulatorBehaviour(phone) === "refuse") return STATUS.tooMany;
    return STATUS.ok;
  }

  /** Outcome for one number; records it for GET /_control/messages. */
  private sendOne(context: SendContext, raw: string, pending: PendingReport[]): SmsId {
    const phone = parsePhone(raw);
    const status = this.statusOf(context, phone);
    const { form } = context;
    const item: SmsId = {
      originTo: raw,
      createTime: context.createTime,
      from: form.from,
      status,
      total: 0,
    };
    if (phone?.countryId) item.countryId = phone.countryId;
    if (status === STATUS.ok && phone && context.template) {
      item.smsMsgId = newSmsMsgId();
      item.total = segmentsFor(
        renderTemplate(context.template.body, form.params, VARIABLE),
        phone,
        context.sign,
      );
      this.lastSender.set(phone.e164, { appKey: context.appKey, sender: form.from });
      this.queueReport(context, phone, item, pending);
    }
    this.recorded.push({
      phone: raw,
      serial: item.smsMsgId ?? "",
      templateId: form.templateId,
      params: [...form.params],
      sign: context.sign,
      code: status,
      at: context.at,
      fee: item.total,
      extend: form.extend,
      sender: form.from,
    });
    this.log(`huawei-emulator: batchSendSms ${raw} → ${status}`);
    return item;
  }

  // --- status reports (huawei.md §4.1) ---------------------------------------------------------

  private queueReport(
    context: SendContext,
    phone: Phone,
    item: SmsId,
    pending: PendingReport[],
  ): void {
    const behaviour = simulatorBehaviour(phone);
    // huawei.md §2.1: no statusCallback → no per-message push. "444": never reported.
    if (!context.form.statusCallback || behaviour === "silent" || !item.smsMsgId) return;
    pending.push({
      url: context.form.statusCallback,
      smsMsgId: item.smsMsgId,
      phone,
      total: item.total,
      delivered: behaviour === "deliver",
      extend: context.form.extend,
    });
  }

  private scheduleReports(pending: PendingReport[]): void {
    if (pending.length === 0) return;
    const epoch = this.epoch;
    this.timers.schedule(this.reportDelayMs, () => {
      const updateTime = wsseCreated(this.now());
      for (const report of pending) {
        void this.deliver(report.url, reportForm(report, updateTime), "status report", epoch);
      }
    });
  }

  /**
   * POST a form callback; acknowledged = HTTP 200 (huawei.md §4.4: "200 OK with an empty
   * body"; for replies "any response"). Resolves true when acknowledged.
   */
  private deliver(
    url: string,
    form: URLSearchParams,
    what: string,
    epoch?: number,
  ): Promise<boolean> {
    const push: Push = {
      url,
      contentType: FORM_TYPE,
      body: form.toString(),
      what,
      retryDelaysMs: PUSH_RETRY_DELAYS_MS,
      acknowledged: (result) => result.status === 200,
      refusal: (result) => `answered HTTP ${result.status}`,
    };
    return this.push(push, epoch);
  }

  // --- replies (huawei.md §5) ------------------------------------------------------------------

  async reply(input: ReplyInput): Promise<void> {
    const phone = parseReplyPhone(input.phone);
    if (!phone) throw new ControlError(400, `cannot parse phone ${input.phone}`);
    const last = this.lastSender.get(phone.e164);
    const appKey = input.appKey ?? last?.appKey ?? this.credentials.keys().next().value;
    const credential = appKey === undefined ? undefined : this.credentials.get(appKey);
    if (!credential) throw new ControlError(404, `unknown appKey ${appKey ?? "(none configured)"}`);
    if (!credential.replyCallbackUrl) {
      throw new ControlError(409, `app ${credential.appKey} has no replyCallbackUrl`);
    }
    const form = new URLSearchParams({
      from: phone.e164,
      to: this.replyChannel(input.sign, last?.sender),
      body: input.text,
      // huawei.md §5: the id of the upstream message, never the downlink's.
      smsMsgId: newSmsMsgId(),
      // huawei.md §5: only sent when the app enables "接收上行短信回复时间"; the emulator
      // behaves as if it were enabled.
      createTime: wsseCreated(this.now()),
    });
    if (!(await this.deliver(credential.replyCallbackUrl, form, "reply"))) {
      throw new ControlError(502, "the reply callback was not acknowledged");
    }
  }

  /** huawei.md §5 `to`: the channel number the user replied to. */
  private replyChannel(sign: string | undefined, lastSender: string | undefined): string {
    const senders = [...this.senders.values()];
    const bySign = sign === undefined ? undefined : senders.find((s) => s.signature === sign);
    const channel = bySign?.sender ?? lastSender ?? senders[0]?.sender;
    if (!channel) throw new ControlError(409, "no sender (channel number) is configured");
    return channel;
  }
}

/**
 * huawei.md §4.1 body, in the order of the doc example; `extend` and `to` only when `extend`
 * was sent; `orgCode` only for numbers outside the mainland (shown as 000 in the doc).
 * UNCONFIRMED (huawei.md §9): whether a long SMS gets one push per segment; we send one.
 */
function reportForm(report: PendingReport, updateTime: string): URLSearchParams {
  const form = new URLSearchParams({ sequence: "1", total: String(report.total) });
  if (!report.phone.mainland) form.set("orgCode", "000");
  form.set("updateTime", updateTime);
  form.set("source", "2");
  form.set("smsMsgId", report.smsMsgId);
  form.set("status", report.delivered ? "DELIVRD" : "UNDELIV");
  if (report.extend) {
    form.set("extend", report.extend);
    form.set("to", report.phone.e164);
  }
  return form;
}

// ---------------------------------------------------------------------------------------------
// Control API

function optionalBoolean(body: Json, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ControlError(400, `${field} must be a boolean`);
  return value;
}

function templateFromJson(body: Json): HuaweiEmulatorTemplate {
  if (typeof body.body !== "string") throw new ControlError(400, "body must be a string");
  return {
    id: requireString(body, "id"),
    body: body.body,
    sender: optionalStringField(body, "sender"),
    universal: optionalBoolean(body, "universal"),
    verification: optionalBoolean(body, "verification"),
  };
}

function senderFromJson(body: Json): HuaweiEmulatorSender {
  return {
    sender: requireString(body, "sender"),
    signature: optionalStringField(body, "signature"),
    international: optionalBoolean(body, "international"),
  };
}

/** The control API's Huawei parts; messages, faults and reset are the kit's. */
function controlRoutes(core: EmulatorCore): ControlRoutes {
  return {
    reply: (json) =>
      core.reply({
        phone: requireString(json, "phone"),
        text: optionalStringField(json, "text") ?? "",
        sign: optionalStringField(json, "sign"),
        appKey: optionalStringField(json, "appKey"),
      }),
    posts: new Map([
      ["/_control/templates", (json: Json) => core.addTemplate(templateFromJson(json))],
      ["/_control/senders", (json: Json) => core.addSender(senderFromJson(json))],
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP server

/** Vendor API with the configured fault applied (API.md "Local stack"). */
function handleVendor(core: EmulatorCore, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "POST" || path !== SEND_PATH) {
    return sendText(res, 404, "text/plain", "Not Found");
  }
  const fault = core.faultMode;
  if (answerFault(res, fault)) return;
  const [status, payload] = core.processVendorRequest(req, body);
  // "timeout": the request was processed (and a send accepted) but the client never hears.
  if (fault === "timeout") return core.timers.holdResponse(res);
  sendJson(res, status, payload, JSON_TYPE);
}

export async function startHuaweiEmulator(options: HuaweiEmulatorOptions): Promise<HuaweiEmulator> {
  const host = loopbackHost("huawei-emulator", options.host);
  const core = new EmulatorCore(options);
  const server = await serveEmulator(core, {
    host,
    port: options.port,
    jsonType: JSON_TYPE,
    control: controlRoutes(core),
    vendor: (req, res, body) => handleVendor(core, req, res, body),
  });
  const url = `http://${server.endpoint}`;
  return {
    url,
    port: server.port,
    messages: () => core.messages(),
    setFault: (mode) => core.setFault(mode),
    addTemplate: (template) => core.addTemplate(template),
    addSender: (sender) => core.addSender(sender),
    setReplyUrl: (appKey, replyUrl) => core.setReplyUrl(appKey, replyUrl),
    reply: (input) => core.reply(input),
    reset: () => core.reset(),
    close: () => server.close(),
  };
}
