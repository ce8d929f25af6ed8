/**
 * The one error vocabulary. Names follow Tencent Cloud SMS codes (docs/providers/tencent.md §1) where one
 * exists, so users of the vendors recognise them; Huawei codes map onto the same names.
 * Each code has the HTTP status it takes when it fails a whole request, and a default
 * message that tells the caller what to do.
 */
export const catalogue = {
  // Authentication and access
  "AuthFailure.MissingApiKey": [401, "Send the API key as `Authorization: Bearer <key>`."],
  "AuthFailure.InvalidApiKey": [401, "The API key is unknown or revoked; create a new key."],
  "AuthFailure.UnauthorizedOperation": [
    403,
    "This key may not do that; use a key with the needed scope.",
  ],
  "AuthFailure.InvalidCallbackToken": [
    404,
    "No app has this callback token; copy the callback URL from the app.",
  ],
  "UnauthorizedOperation.SdkAppIdIsDisabled": [
    403,
    "The operator has disabled this app; ask the operator to enable it.",
  ],
  "UnauthorizedOperation.OperatorOnlySetting": [
    403,
    "Only the operator key may change this setting; ask the operator, and send nothing else with it.",
  ],
  "UnauthorizedOperation.AboveOperatorCeiling": [
    403,
    "A daily limit may not exceed the operator's ceiling for the app; lower it or ask the operator.",
  ],
  // The Tencent-compatible ingress (docs/api.md "Drop-in compatibility"): Tencent's own
  // request-level codes (docs/providers/tencent.md §1.6), answered in its envelope.
  "AuthFailure.InvalidAuthorization": [
    401,
    "Sign the request with TC3-HMAC-SHA256 as the Tencent Cloud SDKs do.",
  ],
  "AuthFailure.SecretIdNotFound": [
    401,
    'The SecretId is unknown or revoked; issue one with POST /v1/apps/{appId}/keys {"format":"tencent"}.',
  ],
  "AuthFailure.SignatureExpire": [
    401,
    "The signature expired: X-TC-Timestamp must be within 5 minutes of the server's time.",
  ],
  "AuthFailure.SignatureFailure": [
    401,
    "The signature does not match; sign with the SecretKey smsgate issued for this SecretId.",
  ],
  InvalidAction: [400, "Use X-TC-Action SendSms or PullSmsSendStatus."],
  NoSuchVersion: [400, "Use X-TC-Version 2021-01-11."],
  "UnauthorizedOperation.SmsSdkAppIdVerifyFail": [
    403,
    "SmsSdkAppId must be the app's id or its Tencent binding's SdkAppId.",
  ],
  UnsupportedOperation: [400, "smsgate does not support this parameter; leave it out."],
  "InvalidParameterValue.LimitVerifyFail": [400, "Limit must be a whole number from 1 to 100."],
  // The Logto HTTP SMS connector and per-client-IP limits (docs/api.md "Drop-in compatibility").
  "InvalidParameterValue.UsageType": [
    400,
    "No template for this Logto type; map it in the app's usageTemplates.",
  ],
  "LimitExceeded.ClientIpOneHourLimit": [
    429,
    "Too many codes requested from this client IP within an hour.",
  ],
  "LimitExceeded.ClientIpDailyLimit": [429, "Too many codes requested from this client IP today."],
  // Request shape
  "FailedOperation.JsonParseFail": [400, "The body is not valid JSON."],
  "FailedOperation.ConcurrentModification": [
    409,
    "Someone else changed this at the same moment; read it again and retry.",
  ],
  InvalidParameter: [400, "A field is invalid; see the message for which one."],
  "InvalidParameterValue.IncorrectPhoneNumber": [
    400,
    "Use E.164 (+8613800138000) or an 11-digit mainland number.",
  ],
  "InvalidParameterValue.WebhookUrl": [
    400,
    "Use an https URL whose host resolves only to public internet addresses (no loopback, private, link-local, metadata or reserved ones).",
  ],
  "MissingParameter.EmptyPhoneNumberSet": [400, "Give at least one recipient in `to`."],
  "LimitExceeded.PhoneNumberCountLimit": [400, "Send to at most 200 numbers per request."],
  "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": [
    400,
    "Send mainland-China and other numbers in separate requests.",
  ],
  "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone": [
    400,
    "A domestic template cannot go to numbers outside mainland China; use an international template.",
  ],
  "UnsupportedOperation.GlobalTemplateToChineseMainlandPhone": [
    400,
    "An international template cannot go to mainland-China numbers; use a domestic template.",
  ],
  "FailedOperation.TemplateUnapprovedOrNotExist": [
    400,
    "The template does not exist for this app; create it with PUT /v1/apps/{appId}/templates/{id}.",
  ],
  "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": [
    400,
    "Give exactly as many params as the template has variables.",
  ],
  "FailedOperation.TemplateIncorrectOrUnapproved": [400, "The template body is invalid."],
  "FailedOperation.SignatureIncorrectOrUnapproved": [
    400,
    "Use one of the app's approved signatures (2–12 CJK characters, letters or digits).",
  ],
  "MissingParameter.SignName": [
    400,
    "Mainland-China sends need a signature: pass `sign` or set the app's defaultSign.",
  ],
  "InvalidParameterValue.TemplateParameterFormatError": [
    400,
    "Verification-code params must be 0–6 digits.",
  ],
  "InvalidParameterValue.TemplateParameterLengthLimit": [
    400,
    "A template variable is longer than the template allows; shorten it or raise the template's maxParamLength.",
  ],
  "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": [
    400,
    "Params must not contain a URL or domain.",
  ],
  "InvalidParameterValue.ContentLengthLimit": [
    400,
    "The message is too long; shorten the template or params.",
  ],
  "LimitExceeded.ManualOptOutLimit": [
    400,
    "An app keeps at most 1,000 manual opt-outs; remove one first.",
  ],
  "InvalidParameter.Cursor": [
    400,
    "The cursor is not one this API gave out; start again without it.",
  ],
  "LimitExceeded.AlertContactLimit": [
    400,
    "An app has at most 5 alert contacts; delete one first.",
  ],
  // Campaigns and groups (docs/api.md "Campaigns and customer groups")
  "InvalidParameterValue.DuplicatePhoneNumber": [
    400,
    "This number is already in the campaign or group; each number is sent once.",
  ],
  "InvalidParameterValue.RecipientFile": [
    400,
    "Send the recipients as CSV (UTF-8, or GBK as Excel saves it) or XLSX: first column the number, then {1}…{n}.",
  ],
  "LimitExceeded.RecipientFileSize": [
    413,
    "Send at most 5 MB of CSV (4 MB of XLSX) per call, and call again to append the rest.",
  ],
  "LimitExceeded.CampaignRecipientLimit": [
    400,
    "A campaign holds at most 100,000 recipients unless the operator raised the limit; split it into several campaigns.",
  ],
  "LimitExceeded.GroupMemberLimit": [
    400,
    "Add at most 100 numbers per JSON call; upload a CSV or XLSX file for more.",
  ],
  "FailedOperation.CampaignState": [
    409,
    "The campaign is not in a state that allows this; see its status.",
  ],
  "FailedOperation.CampaignBusy": [
    409,
    "Another upload to this campaign is running; retry when it has finished.",
  ],
  "InternalError.CampaignSendInterrupted": [
    500,
    "A worker stopped while handing these numbers to the vendor; whether they were sent is not known, and they are never sent again.",
  ],
  ResourceNotFound: [404, "Nothing exists at this path."],
  "ResourceNotFound.Route": [404, "No such endpoint; see /openapi.json."],
  "FailedOperation.IdempotencyKeyReused": [
    422,
    "This Idempotency-Key was used with a different body; use a new key.",
  ],
  "FailedOperation.PreconditionFailed": [
    412,
    "The resource changed since you read it (If-Match no longer matches its ETag); GET it again and re-apply your change.",
  ],
  "FailedOperation.IdempotencyInProgress": [
    409,
    "A request with this Idempotency-Key is still running; retry shortly.",
  ],
  // Per-recipient policy refusals (HTTP status applies only if one fails a whole request)
  "FailedOperation.PhoneNumberInBlacklist": [
    403,
    "The number opted out or is on the do-not-disturb list.",
  ],
  "FailedOperation.MarketingSendTimeConstraint": [
    403,
    "Marketing SMS may only be sent inside the app's marketing window.",
  ],
  "FailedOperation.InsufficientBalanceInSmsPackage": [
    403,
    "The prepaid package is used up; the operator tops it up (POST …/package/top-ups) or sets it anew (PUT …/package).",
  ],
  "FailedOperation.CountryNotPricedInSmsPackage": [
    403,
    "The international package has no price for this number's country; the operator adds it to international.prices or sets international.defaultPrice (PUT …/package).",
  ],
  "LimitExceeded.AppCountryOrRegionInBlacklist": [
    403,
    "The number's country is not in the app's allowed countries.",
  ],
  "LimitExceeded.PhoneNumberThirtySecondLimit": [
    429,
    "Too many messages to this number within 30 seconds.",
  ],
  "LimitExceeded.PhoneNumberOneHourLimit": [
    429,
    "Too many messages to this number within an hour.",
  ],
  "LimitExceeded.PhoneNumberDailyLimit": [429, "Too many messages to this number today."],
  "LimitExceeded.DeliveryFrequencyLimit": [429, "A frequency limit for this number was reached."],
  "LimitExceeded.PhoneNumberSameContentDailyLimit": [
    429,
    "The same content went to this number within 30 seconds.",
  ],
  "LimitExceeded.AppMainlandChinaDailyLimit": [
    429,
    "The app reached its daily mainland-China limit.",
  ],
  "LimitExceeded.AppGlobalDailyLimit": [429, "The app reached its daily international limit."],
  "LimitExceeded.AppCountryOrRegionDailyLimit": [
    429,
    "The app reached its daily limit for this country.",
  ],
  // Vendor outcomes we could not map more precisely
  "FailedOperation.ProviderRejected": [
    502,
    "The SMS provider refused the message; see the record for its code.",
  ],
  "FailedOperation.ProviderAuthFailure": [
    502,
    "The SMS provider refused smsgate's credentials; check the provider settings.",
  ],
  "InternalError.ProviderUnavailable": [
    502,
    "The SMS provider could not be reached or failed; the message was not sent.",
  ],
  "InternalError.ProviderTimeout": [
    504,
    "The SMS provider did not answer in time; the outcome is reconciled later.",
  ],
  "InternalError.ProviderBadResponse": [
    502,
    "The SMS provider answered something unreadable; the outcome is reconciled later.",
  ],
  "InternalError.SendInterrupted": [
    504,
    "The send was interrupted once the number may have reached the provider; the outcome is reconciled from the provider's reports.",
  ],
  InternalError: [500, "Something went wrong on our side; retry with the same Idempotency-Key."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}

/** An error that is safe to show the caller: catalogue code, status and a message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** `status` overrides the code's own where a route's contract says another (docs/api.md). */
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; status?: number }) {
    const [status, fallback] = catalogue[code];
    super(message ?? fallback, options);
    this.code = code;
    this.status = options?.status ?? status;
  }
}

/** The default message for a code. */
export function messageFor(code: ErrorCode): string {
  return catalogue[code][1];
}
