/**
 * Request validation like Tencent's (docs/providers/tencent.md §1, §3, §7; cited below as
 * "docs/providers/tencent.md §n"): the API envelope headers, the JSON body, the SendSms and PullSmsSendStatus
 * fields, destinations, signatures and template parameters. Failures are ApiErrors, rendered
 * by api.ts as `{"Response":{"Error":{Code,Message},RequestId}}`.
 */
import type { IncomingMessage } from "node:http";
import { firstHeader, isRecord, type Json } from "../emulator-kit/http";
import { TEMPLATE_VARIABLE, templateVariables } from "../emulator-kit/templates";
import { type Phone, parsePhone } from "./phone";
import type { TencentEmulatorApp, TencentEmulatorTemplate } from "./types";

const API_VERSION = "2021-01-11"; // docs/providers/tencent.md §1
const MAX_NUMBERS_PER_SEND = 200; // docs/providers/tencent.md §1.1 PhoneNumberSet

/** Vendor API error, rendered as `{"Response":{"Error":{Code,Message},RequestId}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A string field as the SDK may send it: numbers (SdkAppId, TemplateId) count as strings. */
export function optionalString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return undefined;
}

function stringArray(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError("InvalidParameter", `${field} must be an array.`);
  return value.map((item) => optionalString(item) ?? "");
}

// ---------------------------------------------------------------------------------------------
// The envelope

/** docs/providers/tencent.md §7.2: version check, then the action and region; returns X-TC-Action. */
export function requireAction(req: IncomingMessage): string {
  if (firstHeader(req.headers, "x-tc-version") !== API_VERSION) {
    throw new ApiError("NoSuchVersion", `The API version must be ${API_VERSION}.`);
  }
  const action = firstHeader(req.headers, "x-tc-action");
  if (!action) throw new ApiError("MissingParameter", "The parameter `Action` is missing.");
  // docs/providers/tencent.md §1: Region is required for 2021-01-11.
  if (!firstHeader(req.headers, "x-tc-region")) {
    throw new ApiError("MissingParameter", "The parameter `Region` is missing.");
  }
  return action;
}

/** Checked after the action is known: an unknown action is reported first. */
export function requirePost(req: IncomingMessage): void {
  if (req.method !== "POST") {
    throw new ApiError("InvalidParameter", "The emulator only accepts POST with a JSON body.");
  }
}

export function parseParams(body: Buffer): Json {
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
// SendSms and PullSmsSendStatus fields

/** What the emulator knows, for the look-ups validation makes. */
export interface Registry {
  readonly apps: ReadonlyMap<string, TencentEmulatorApp>;
  readonly templates: ReadonlyMap<string, TencentEmulatorTemplate>;
}

/** A SendSms request that passed the request-level checks. */
export interface SendRequest {
  app: TencentEmulatorApp;
  template: TencentEmulatorTemplate;
  sign: string;
  params: string[];
  sessionContext: string;
}

/** Each number as sent, and parsed (undefined: refused per number, not per request). */
export interface SendNumber {
  raw: string;
  phone: Phone | undefined;
}

export function requireApp(registry: Registry, value: unknown): TencentEmulatorApp {
  const app = registry.apps.get(optionalString(value) ?? "");
  if (!app)
    throw new ApiError("InvalidParameterValue.SdkAppIdNotExist", "The SdkAppId does not exist.");
  return app;
}

/** docs/providers/tencent.md §1.1 and §7.5: the checks that refuse the whole request. */
export function readSendSms(
  registry: Registry,
  params: Json,
): { request: SendRequest; numbers: SendNumber[] } {
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
  const app = requireApp(registry, params.SmsSdkAppId);
  const template = registry.templates.get(optionalString(params.TemplateId) ?? "");
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
  return { request, numbers: phones };
}

/** Request-level destination checks (docs/providers/tencent.md §1.1 PhoneNumberSet / SignName, §7.5). */
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

/**
 * Template parameter problems (docs/providers/tencent.md §1.1 TemplateParamSet, §5.3 variables). Tencent reports
 * them per number, so this returns the error for each number to carry instead of throwing.
 */
export function checkTemplateParams(
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
  const max = template.maxParamLength;
  if (
    max !== undefined &&
    !template.verification &&
    params.some((param) => Array.from(param).length > max)
  ) {
    return new ApiError(
      "InvalidParameterValue.TemplateParameterLengthLimit",
      `the length of a template parameter exceeds the limit of ${max} characters`,
    );
  }
  if (params.some((param) => /https?:\/\/|www\./i.test(param))) {
    return new ApiError(
      "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
      "URLs are not allowed in template parameters",
    );
  }
  return undefined;
}

/** docs/providers/tencent.md §3 PullSmsSendStatus: Limit 1–100, checked before the SdkAppId. */
export function readPullLimit(params: Json): number {
  const limit = params.Limit;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ApiError("InvalidParameterValue.LimitVerifyFail", "Limit must be between 1 and 100.");
  }
  return limit;
}
