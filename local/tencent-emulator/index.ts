/**
 * Tencent Cloud SMS emulator: speaks the real API 3.0 wire protocol (TC3-signed JSON POST,
 * `{"Response":{…}}` envelope) on loopback, so the unmodified `tencentcloud-sdk-nodejs-sms`
 * client can talk to it with `endpoint: "127.0.0.1:PORT", protocol: "http://"`.
 *
 * Reference: /work/shared/providers/tencent.md (section numbers cited as "tencent.md §n") and
 * API.md "Local stack" (control API, simulator numbers).
 *
 * Vendor API: any path, routed on X-TC-Action (SendSms, PullSmsSendStatus).
 * Control API (plain JSON, never faulted): GET /_control/messages, POST /_control/reply,
 * POST /_control/faults, POST /_control/apps, POST /_control/templates, POST /_control/reset.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerFault,
  ControlError,
  type ControlRoutes,
  EmulatorCoreBase,
  isRecord,
  type Json,
  loopbackHost,
  optionalStringField,
  type PostResult,
  type Push,
  renderTemplate,
  requireString,
  sendJson,
  serveEmulator,
  simulatorBehaviour,
  TEMPLATE_VARIABLE,
  templateVariables,
} from "../emulator-kit";
import { feeFor } from "./fee";
import { verifyTc3 } from "./tc3";

// ---------------------------------------------------------------------------------------------
// Public types

export type TencentFaultMode = "none" | "timeout" | "http500" | "badjson";

export interface TencentEmulatorOptions {
  /** 0 or undefined → a free port. */
  port?: number;
  /** Default "127.0.0.1"; anything that is not loopback is refused. */
  host?: string;
  credentials: { secretId: string; secretKey: string }[];
  /** Known SdkAppIds. */
  apps?: TencentEmulatorApp[];
  templates?: TencentEmulatorTemplate[];
  /** Delay before status reports are pushed / become pullable, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response before destroying the socket, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock for the ±300 s signature check and for timestamps in reports (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

export interface TencentEmulatorApp {
  sdkAppId: string;
  statusCallbackUrl?: string;
  replyCallbackUrl?: string;
  /** If given, SignName must be one of these, else FailedOperation.SignatureIncorrectOrUnapproved. */
  signs?: string[];
}

export interface TencentEmulatorTemplate {
  id: string;
  /** Template text with variables {1}, {2}, … */
  body: string;
  international: boolean;
  /** Verification-code template: every variable must be 0–6 digits (tencent.md §5). */
  verification?: boolean;
}

export interface ControlMessage {
  /** Normalised E.164, or the number as sent when it could not be parsed. */
  phone: string;
  /** SerialNo; "" when refused. */
  serial: string;
  templateId: string;
  params: string[];
  sign: string;
  /** "Ok" or the per-number error code. */
  code: string;
  /** ISO time the send was processed. */
  at: string;
  sdkAppId: string;
  fee: number;
  sessionContext: string;
}

export interface TencentEmulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "127.0.0.1:PORT" — what the SDK's httpProfile.endpoint takes. */
  endpoint: string;
  port: number;
  messages(): ControlMessage[];
  setFault(mode: TencentFaultMode): void;
  /** Upsert by sdkAppId. */
  addApp(app: TencentEmulatorApp): void;
  /** Upsert by id. */
  addTemplate(template: TencentEmulatorTemplate): void;
  /** Same as POST /_control/reply; rejects if the push was not acknowledged. */
  reply(input: ReplyInput): Promise<void>;
  /** Clear messages, pending reports (push and pull) and the fault. Apps/templates stay. */
  reset(): void;
  /** Stop the server and all timers; pending pushes are dropped. */
  close(): Promise<void>;
}

export interface ReplyInput {
  phone: string;
  text: string;
  sign?: string;
  sdkAppId?: string;
}

// ---------------------------------------------------------------------------------------------
// Constants

const API_VERSION = "2021-01-11"; // tencent.md §1
const MAX_NUMBERS_PER_SEND = 200; // tencent.md §1 PhoneNumberSet
const MAX_REPORTS_PER_PUSH = 100; // tencent.md §4a
const PUSH_RETRY_DELAYS_MS = [200, 500]; // tencent.md §4c: 2 retries; intervals are ours
const SERIAL_PREFIX = "2433:"; // tencent.md §1 SerialNo looks like "<n>:<digits>"

/** Country calling code → ISO 3166 alpha-2 for IsoCode; anything else is "DEF" (tencent.md §1). */
const ISO_BY_CALLING_CODE: Record<string, string> = {
  "1": "US",
  "7": "RU",
  "33": "FR",
  "44": "GB",
  "49": "DE",
  "60": "MY",
  "61": "AU",
  "62": "ID",
  "63": "PH",
  "65": "SG",
  "66": "TH",
  "81": "JP",
  "82": "KR",
  "84": "VN",
  "86": "CN",
  "91": "IN",
  "852": "HK",
  "853": "MO",
  "886": "TW",
};

/**
 * ITU-T E.164 calling codes are prefix-free: 1 and 7 are one digit, the two-digit ones are
 * listed here, every other code has three digits. Enough to split "+cc national".
 */
const TWO_DIGIT_CALLING_CODES = new Set(
  (
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 " +
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
  ).split(" "),
);

// ---------------------------------------------------------------------------------------------
// Phone numbers

interface Phone {
  /** "+8613800000000" */
  e164: string;
  /** "86" */
  countryCode: string;
  /** "13800000000" */
  national: string;
  mainland: boolean;
}

function callingCodeLength(digits: string): number {
  if (digits.startsWith("1") || digits.startsWith("7")) return 1;
  return TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}

function mainlandPhone(national: string): Phone {
  return { e164: `+86${national}`, countryCode: "86", national, mainland: true };
}

/**
 * tencent.md §1 PhoneNumberSet: E.164 `+…`; for the mainland also `0086…`, `86…` or a bare
 * 11-digit number (default +86). Returns undefined for anything else.
 */
export function parsePhone(raw: string): Phone | undefined {
  const text = raw.trim();
  const mainlandMobile = /^1\d{10}$/;
  if (text.startsWith("+")) {
    const digits = text.slice(1);
    if (!/^[1-9]\d{6,14}$/.test(digits)) return undefined;
    const ccLength = callingCodeLength(digits);
    const countryCode = digits.slice(0, ccLength);
    const national = digits.slice(ccLength);
    if (countryCode === "86")
      return mainlandMobile.test(national) ? mainlandPhone(national) : undefined;
    return { e164: text, countryCode, national, mainland: false };
  }
  for (const prefix of ["0086", "86", ""]) {
    const rest = text.slice(prefix.length);
    if (text.startsWith(prefix) && mainlandMobile.test(rest)) return mainlandPhone(rest);
  }
  return undefined;
}

function isoCodeFor(phone: Phone): string {
  return ISO_BY_CALLING_CODE[phone.countryCode] ?? "DEF";
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Vendor API error, rendered as `{"Response":{"Error":{Code,Message},RequestId}}`. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return undefined;
}

function stringArray(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError("InvalidParameter", `${field} must be an array.`);
  return value.map((item) => optionalString(item) ?? "");
}

/** Serial numbers: prefix + random digits + a counter so they never repeat. */
let serialCounter = 0;
function newSerialNo(): string {
  serialCounter += 1;
  const random = String(randomInt(0, 1e12)).padStart(12, "0");
  return `${SERIAL_PREFIX}${random}${String(serialCounter).padStart(10, "0")}`;
}

/** "YYYY-MM-DD HH:MM:SS" in UTC+8 (tencent.md §4a: timezone presumed UTC+8, UNCONFIRMED). */
function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** tencent.md §4c: the customer acknowledges with HTTP 200 and `{"result":0,…}`. */
function isAcknowledged(result: PostResult): boolean {
  if (result.status !== 200) return false;
  try {
    const parsed: unknown = JSON.parse(result.body);
    return isRecord(parsed) && Number(parsed.result) === 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Emulator state and behaviour

interface PendingReport {
  batch: number;
  /** Date.now() when the report becomes due. */
  dueAt: number;
  sdkAppId: string;
  phone: Phone;
  serial: string;
  delivered: boolean;
  sessionContext: string;
}

interface PullStatus {
  UserReceiveTime: number;
  CountryCode: string;
  SubscriberNumber: string;
  PhoneNumber: string;
  SerialNo: string;
  ReportStatus: "SUCCESS" | "FAIL";
  Description: "DELIVRD" | "UNDELIV";
  SessionContext: string;
}

interface SendStatus {
  SerialNo: string;
  PhoneNumber: string;
  Fee: number;
  SessionContext: string;
  Code: string;
  Message: string;
  IsoCode: string;
}

interface SendRequest {
  app: TencentEmulatorApp;
  template: TencentEmulatorTemplate;
  sign: string;
  params: string[];
  sessionContext: string;
}

class EmulatorCore extends EmulatorCoreBase<ControlMessage> {
  private readonly credentials = new Map<string, string>();
  private readonly apps = new Map<string, TencentEmulatorApp>();
  private readonly templates = new Map<string, TencentEmulatorTemplate>();
  private pending: PendingReport[] = [];
  private readonly pullQueues = new Map<string, PullStatus[]>();
  /** Last app/sign that sent to a number, to route replies (tencent.md §4b: no sid in replies). */
  private readonly lastSender = new Map<string, { sdkAppId: string; sign: string }>();
  private batchCounter = 0;

  constructor(options: TencentEmulatorOptions) {
    super("tencent-emulator", options);
    for (const { secretId, secretKey } of options.credentials) {
      this.credentials.set(secretId, secretKey);
    }
    for (const app of options.apps ?? []) this.addApp(app);
    for (const template of options.templates ?? []) this.addTemplate(template);
  }

  // --- configuration -------------------------------------------------------------------------

  addApp(app: TencentEmulatorApp): void {
    this.apps.set(app.sdkAppId, { ...app, signs: app.signs ? [...app.signs] : undefined });
  }

  addTemplate(template: TencentEmulatorTemplate): void {
    this.templates.set(template.id, { ...template });
  }

  /** Also drops pending reports, pull queues and reply routing. */
  override reset(): void {
    super.reset();
    this.pending = [];
    this.pullQueues.clear();
    this.lastSender.clear();
  }

  // --- vendor API ----------------------------------------------------------------------------

  /** Authenticate, then route on X-TC-Action. Returns the `Response` object. */
  processVendorRequest(req: IncomingMessage, body: Buffer): Json {
    const requestId = randomUUID();
    try {
      const result = this.dispatch(req, body);
      return { ...result, RequestId: requestId };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.log(`tencent-emulator: error ${error.code}: ${error.message}`);
      return { Error: { Code: error.code, Message: error.message }, RequestId: requestId };
    }
  }

  private dispatch(req: IncomingMessage, body: Buffer): Json {
    const [path = "/", query = ""] = (req.url ?? "/").split(/\?(.*)/s);
    // tencent.md §2 "Emulator verification recipe" / §7.3: authentication comes first.
    const auth = verifyTc3({
      method: req.method ?? "POST",
      path,
      query,
      headers: req.headers,
      body,
      lookupSecretKey: (secretId) => this.credentials.get(secretId),
      nowMs: this.now(),
    });
    if (!auth.ok) throw new ApiError(auth.code, auth.message);

    // tencent.md §7.2: version check, then action routing.
    if (firstHeader(req, "x-tc-version") !== API_VERSION) {
      throw new ApiError("NoSuchVersion", `The API version must be ${API_VERSION}.`);
    }
    const action = firstHeader(req, "x-tc-action");
    if (!action) throw new ApiError("MissingParameter", "The parameter `Action` is missing.");
    // tencent.md §1: Region is required for 2021-01-11.
    if (!firstHeader(req, "x-tc-region")) {
      throw new ApiError("MissingParameter", "The parameter `Region` is missing.");
    }
    const handler = this.actionHandler(action);
    if (req.method !== "POST") {
      throw new ApiError("InvalidParameter", "The emulator only accepts POST with a JSON body.");
    }
    return handler(parseParams(body));
  }

  private actionHandler(action: string): (params: Json) => Json {
    switch (action) {
      case "SendSms":
        return (params) => this.sendSms(params);
      case "PullSmsSendStatus":
        return (params) => this.pullSmsSendStatus(params);
      default:
        throw new ApiError(
          "InvalidAction",
          `The action ${action} is not supported by the emulator.`,
        );
    }
  }

  private requireApp(value: unknown): TencentEmulatorApp {
    const app = this.apps.get(optionalString(value) ?? "");
    if (!app)
      throw new ApiError("InvalidParameterValue.SdkAppIdNotExist", "The SdkAppId does not exist.");
    return app;
  }

  /** tencent.md §1 SendSms and §7.5. */
  private sendSms(params: Json): Json {
    const numbers = stringArray(params.PhoneNumberSet, "PhoneNumberSet");
    if (numbers.length === 0) {
      throw new ApiError("MissingParameter.EmptyPhoneNumberSet", "The PhoneNumberSet is empty.");
    }
    if (numbers.length > MAX_NUMBERS_PER_SEND) {
      throw new ApiError(
        "LimitExceeded.PhoneNumberCountLimit",
        `At most ${MAX_NUMBERS_PER_SEND} phone numbers per request.`,
      );
    }
    const app = this.requireApp(params.SmsSdkAppId);
    const template = this.templates.get(optionalString(params.TemplateId) ?? "");
    if (!template) {
      throw new ApiError(
        "FailedOperation.TemplateUnapprovedOrNotExist",
        "The template is unapproved or does not exist.",
      );
    }
    const request: SendRequest = {
      app,
      template,
      sign: optionalString(params.SignName) ?? "",
      params: stringArray(params.TemplateParamSet, "TemplateParamSet"),
      sessionContext: optionalString(params.SessionContext) ?? "",
    };
    const phones = numbers.map((raw) => ({ raw, phone: parsePhone(raw) }));
    checkDestinations(
      request,
      phones.flatMap(({ phone }) => (phone ? [phone] : [])),
    );

    const at = new Date(this.now()).toISOString();
    const paramProblem = checkTemplateParams(template, request.params);
    const statuses = phones.map(({ raw, phone }) =>
      this.sendOne(request, raw, phone, paramProblem, at),
    );
    this.scheduleReports(request, phones, statuses);
    return { SendStatusSet: statuses };
  }

  /** Outcome for one number; records it for GET /_control/messages. */
  private sendOne(
    request: SendRequest,
    raw: string,
    phone: Phone | undefined,
    paramProblem: ApiError | undefined,
    at: string,
  ): SendStatus {
    let status: SendStatus;
    if (!phone) {
      status = refused(
        request,
        raw,
        "InvalidParameterValue.IncorrectPhoneNumber",
        "incorrect phone number format",
      );
    } else if (paramProblem) {
      status = refused(request, phone.e164, paramProblem.code, paramProblem.message);
    } else if (simulatorBehaviour(phone) === "refuse") {
      status = refused(
        request,
        phone.e164,
        "FailedOperation.PhoneNumberInBlacklist",
        "the phone number is on the blacklist (the user unsubscribed)",
      );
    } else {
      status = {
        SerialNo: newSerialNo(),
        PhoneNumber: phone.e164,
        Fee: feeFor({
          body: renderTemplate(request.template.body, request.params, TEMPLATE_VARIABLE),
          sign: request.sign || undefined,
          international: !phone.mainland,
        }),
        SessionContext: request.sessionContext,
        Code: "Ok",
        Message: "send success",
        IsoCode: isoCodeFor(phone),
      };
      this.lastSender.set(phone.e164, { sdkAppId: request.app.sdkAppId, sign: request.sign });
    }
    this.recorded.push({
      phone: status.PhoneNumber,
      serial: status.SerialNo,
      templateId: request.template.id,
      params: [...request.params],
      sign: request.sign,
      code: status.Code,
      at,
      sdkAppId: request.app.sdkAppId,
      fee: status.Fee,
      sessionContext: request.sessionContext,
    });
    this.log(`tencent-emulator: SendSms ${status.PhoneNumber} → ${status.Code}`);
    return status;
  }

  /** tencent.md §3 PullSmsSendStatus: each status is returned once, oldest first. */
  private pullSmsSendStatus(params: Json): Json {
    const limit = params.Limit;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError(
        "InvalidParameterValue.LimitVerifyFail",
        "Limit must be between 1 and 100.",
      );
    }
    const app = this.requireApp(params.SmsSdkAppId);
    const queue = this.pullQueues.get(app.sdkAppId) ?? [];
    return { PullSmsSendStatusSet: queue.splice(0, limit) };
  }

  // --- status reports (tencent.md §4a) ---------------------------------------------------------

  private scheduleReports(
    request: SendRequest,
    phones: { phone: Phone | undefined }[],
    statuses: SendStatus[],
  ): void {
    const batch = ++this.batchCounter;
    const dueAt = Date.now() + this.reportDelayMs;
    phones.forEach(({ phone }, index) => {
      const status = statuses[index];
      if (!phone || !status || status.Code !== "Ok") return;
      const behaviour = simulatorBehaviour(phone);
      if (behaviour === "silent") return; // "444": accepted, never reported (not even pullable)
      this.pending.push({
        batch,
        dueAt,
        sdkAppId: request.app.sdkAppId,
        phone,
        serial: status.SerialNo,
        delivered: behaviour === "deliver",
        sessionContext: request.sessionContext,
      });
    });
    if (this.pending.some((report) => report.batch === batch)) {
      this.timers.schedule(this.reportDelayMs, () => this.flushReports(batch));
    }
  }

  /** Make this batch (and anything else already due) pullable and push it, grouped per app. */
  private flushReports(batch: number): void {
    const nowReal = Date.now();
    const due = this.pending.filter((report) => report.batch === batch || report.dueAt <= nowReal);
    this.pending = this.pending.filter((report) => !due.includes(report));
    const receivedAt = this.now();
    const byApp = new Map<string, PendingReport[]>();
    for (const report of due) {
      byApp.set(report.sdkAppId, [...(byApp.get(report.sdkAppId) ?? []), report]);
    }
    for (const [sdkAppId, reports] of byApp) {
      this.enqueuePull(sdkAppId, reports, receivedAt);
      const url = this.apps.get(sdkAppId)?.statusCallbackUrl;
      if (!url) continue;
      for (let i = 0; i < reports.length; i += MAX_REPORTS_PER_PUSH) {
        const items = reports
          .slice(i, i + MAX_REPORTS_PER_PUSH)
          .map((r) => callbackItem(r, receivedAt));
        void this.deliver(url, items, "status report", this.epoch);
      }
    }
  }

  private enqueuePull(sdkAppId: string, reports: PendingReport[], receivedAt: number): void {
    const queue = this.pullQueues.get(sdkAppId) ?? [];
    for (const report of reports) {
      queue.push({
        UserReceiveTime: Math.floor(receivedAt / 1000),
        CountryCode: report.phone.countryCode,
        SubscriberNumber: report.phone.national,
        PhoneNumber: report.phone.e164,
        SerialNo: report.serial,
        ReportStatus: report.delivered ? "SUCCESS" : "FAIL",
        Description: report.delivered ? "DELIVRD" : "UNDELIV",
        SessionContext: report.sessionContext,
      });
    }
    this.pullQueues.set(sdkAppId, queue);
  }

  /**
   * POST a callback; tencent.md §4c: 3 attempts in total. Failure = network error, non-200 or
   * `result` ≠ 0 (what Tencent counts as failure is UNCONFIRMED). Resolves true when acknowledged.
   */
  private deliver(url: string, payload: unknown, what: string, epoch?: number): Promise<boolean> {
    const push: Push = {
      url,
      contentType: "application/json",
      body: JSON.stringify(payload),
      what,
      retryDelaysMs: PUSH_RETRY_DELAYS_MS,
      acknowledged: isAcknowledged,
      refusal: (result) => `not acknowledged (HTTP ${result.status})`,
    };
    return this.push(push, epoch);
  }

  // --- replies (tencent.md §4b) ----------------------------------------------------------------

  async reply(input: ReplyInput): Promise<void> {
    const phone = parsePhone(input.phone);
    if (!phone) throw new ControlError(400, `cannot parse phone ${input.phone}`);
    const last = this.lastSender.get(phone.e164);
    const sdkAppId = input.sdkAppId ?? last?.sdkAppId ?? this.apps.keys().next().value;
    const app = sdkAppId === undefined ? undefined : this.apps.get(sdkAppId);
    if (!app) throw new ControlError(404, `unknown sdkAppId ${sdkAppId ?? "(no apps configured)"}`);
    if (!app.replyCallbackUrl) {
      throw new ControlError(409, `app ${app.sdkAppId} has no replyCallbackUrl`);
    }
    // tencent.md §4b: a single object, no sid; correlated by mobile + sign.
    const payload = {
      extend: "",
      mobile: phone.national,
      nationcode: phone.countryCode,
      sign: input.sign ?? last?.sign ?? app.signs?.[0] ?? "",
      text: input.text,
      time: Math.floor(this.now() / 1000),
    };
    if (!(await this.deliver(app.replyCallbackUrl, payload, "reply"))) {
      throw new ControlError(502, "the reply callback was not acknowledged");
    }
  }
}

/** Request-level destination checks (tencent.md §1 PhoneNumberSet / SignName, §7.5). */
function checkDestinations(request: SendRequest, phones: Phone[]): void {
  const hasMainland = phones.some((phone) => phone.mainland);
  const hasGlobal = phones.some((phone) => !phone.mainland);
  if (hasMainland && hasGlobal) {
    throw new ApiError(
      "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
      "Mainland China and international numbers cannot be mixed in one request.",
    );
  }
  if (!request.template.international && hasGlobal) {
    throw new ApiError(
      "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
      "A Chinese mainland template cannot be sent to international numbers.",
    );
  }
  if (request.template.international && hasMainland) {
    throw new ApiError(
      "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone",
      "An international template cannot be sent to Chinese mainland numbers.",
    );
  }
  if (hasMainland && !request.sign) {
    throw new ApiError(
      "MissingParameter",
      "The parameter `SignName` is missing (required for Chinese mainland SMS).",
    );
  }
  const signs = request.app.signs;
  if (signs && (request.sign || hasMainland) && !signs.includes(request.sign)) {
    throw new ApiError(
      "FailedOperation.SignatureIncorrectOrUnapproved",
      "The signature is incorrect or unapproved.",
    );
  }
}

/** Per-number template parameter problems (tencent.md §1 TemplateParamSet, §5 variables). */
function checkTemplateParams(
  template: TencentEmulatorTemplate,
  params: string[],
): ApiError | undefined {
  if (params.length !== templateVariables(template.body, TEMPLATE_VARIABLE).length) {
    return new ApiError(
      "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
      "request content does not match the template content",
    );
  }
  if (template.verification && params.some((param) => !/^\d{0,6}$/.test(param))) {
    return new ApiError(
      "InvalidParameterValue.TemplateParameterFormatError",
      "verification code template parameters must be 0-6 digits",
    );
  }
  return undefined;
}

/** tencent.md §1 "Per-number failure": SerialNo "", Fee 0, IsoCode "". */
function refused(request: SendRequest, phone: string, code: string, message: string): SendStatus {
  return {
    SerialNo: "",
    PhoneNumber: phone,
    Fee: 0,
    SessionContext: request.sessionContext,
    Code: code,
    Message: message,
    IsoCode: "",
  };
}

/** tencent.md §4a item (no `ext`: that needs enabling by Tencent). */
function callbackItem(report: PendingReport, receivedAt: number): Json {
  return {
    user_receive_time: beijingTime(receivedAt),
    nationcode: report.phone.countryCode,
    mobile: report.phone.national,
    report_status: report.delivered ? "SUCCESS" : "FAIL",
    errmsg: report.delivered ? "DELIVRD" : "UNDELIV",
    description: report.delivered ? "用户短信送达成功" : "用户短信未送达",
    sid: report.serial,
  };
}

function parseParams(body: Buffer): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.length === 0 ? "{}" : body.toString("utf8"));
  } catch {
    throw new ApiError("FailedOperation.JsonParseFail", "The request body is not valid JSON.");
  }
  if (!isRecord(parsed)) {
    throw new ApiError("FailedOperation.JsonParseFail", "The request body must be a JSON object.");
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Control API

function appFromJson(body: Json): TencentEmulatorApp {
  const signs = body.signs;
  if (signs !== undefined && !(Array.isArray(signs) && signs.every((s) => typeof s === "string"))) {
    throw new ControlError(400, "signs must be an array of strings");
  }
  return {
    sdkAppId: requireString(body, "sdkAppId", optionalString),
    statusCallbackUrl: optionalStringField(body, "statusCallbackUrl"),
    replyCallbackUrl: optionalStringField(body, "replyCallbackUrl"),
    signs: signs as string[] | undefined,
  };
}

function templateFromJson(body: Json): TencentEmulatorTemplate {
  if (typeof body.body !== "string") throw new ControlError(400, "body must be a string");
  if (typeof body.international !== "boolean") {
    throw new ControlError(400, "international must be a boolean");
  }
  return {
    id: requireString(body, "id", optionalString),
    body: body.body,
    international: body.international,
    verification: body.verification === true,
  };
}

/** The control API's Tencent parts; messages, faults and reset are the kit's. */
function controlRoutes(core: EmulatorCore): ControlRoutes {
  return {
    reply: (json) =>
      core.reply({
        phone: requireString(json, "phone", optionalString),
        text: optionalStringField(json, "text") ?? "",
        sign: optionalStringField(json, "sign"),
        sdkAppId: optionalString(json.sdkAppId),
      }),
    posts: new Map([
      ["/_control/apps", (json: Json) => core.addApp(appFromJson(json))],
      ["/_control/templates", (json: Json) => core.addTemplate(templateFromJson(json))],
    ]),
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP server

/** Vendor API with the configured fault applied (API.md "Local stack"; tencent.md §2 handling). */
function handleVendor(core: EmulatorCore, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const fault = core.faultMode;
  if (answerFault(res, fault)) return;
  const response = core.processVendorRequest(req, body);
  // "timeout": the request was processed (and a send accepted) but the client never hears.
  if (fault === "timeout") return core.timers.holdResponse(res);
  const traceId = firstHeader(req, "x-tc-traceid");
  const extra = traceId ? { "X-TC-TraceId": traceId } : {};
  sendJson(res, 200, { Response: response }, "application/json", extra);
}

export async function startTencentEmulator(
  options: TencentEmulatorOptions,
): Promise<TencentEmulator> {
  const host = loopbackHost("tencent-emulator", options.host);
  const core = new EmulatorCore(options);
  const server = await serveEmulator(core, {
    host,
    port: options.port,
    control: controlRoutes(core),
    vendor: (req, res, body) => handleVendor(core, req, res, body),
  });
  const { endpoint } = server;
  return {
    url: `http://${endpoint}`,
    endpoint,
    port: server.port,
    messages: () => core.messages(),
    setFault: (mode) => core.setFault(mode),
    addApp: (app) => core.addApp(app),
    addTemplate: (template) => core.addTemplate(template),
    reply: (input) => core.reply(input),
    reset: () => core.reset(),
    close: () => server.close(),
  };
}
