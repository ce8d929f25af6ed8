/**
 * The Tencent-compatible ingress (docs/api.md "Drop-in compatibility"): `POST /` speaks the
 * Tencent Cloud SMS API 2021-01-11 as the official SDKs and hand-rolled clients call it
 * (docs/providers/tencent.md §1–§3, §6), so existing code switches to smsgate by changing its
 * endpoint. Requests are verified with TC3-HMAC-SHA256 against credentials smsgate issues
 * (lib/admin/keys.ts), sends go through the same pipeline as POST /v1/messages, and every
 * answer is Tencent's: HTTP 200 with `{"Response":{…,"RequestId"}}`, the failure of a whole
 * request as `Response.Error` (docs/providers/tencent.md §1.4, §2.5 — the SDK throws on any
 * other HTTP status without a code).
 */
import * as z from "zod/mini";
import { masterSecret } from "../config";
import type { Deps } from "../core/deps";
import { AppError, type ErrorCode } from "../core/errors";
import type { App, PerNumberResult, Template, TencentCredential } from "../core/model";
import { splitE164 } from "../core/phone";
import { unseal } from "../core/secrets";
import type { Route } from "../http/routes";
import { type HttpRequest, type HttpResponse, json, validate } from "../http/wrapper";
import { submit } from "./send";
import { preverify, signatureMatches, type Tc3Request } from "./tc3";

export const TENCENT_VERSION = "2021-01-11";

/** `AKID` + the app id + 6 random characters (lib/admin/keys.ts issueTencentCredential). */
const SECRET_ID = /^AKID([0-9A-Z]{26})[A-Za-z0-9]{6}$/;

/**
 * smsgate codes that are not Tencent's own, in the nearest Tencent name, so a caller's
 * existing error handling sees only codes it knows (docs/providers/tencent.md §1.6).
 * Every other catalogue code is already named after Tencent's.
 */
const TENCENT_NAME: Partial<Record<ErrorCode, string>> = {
  "AuthFailure.MissingApiKey": "AuthFailure.SecretIdNotFound",
  "AuthFailure.InvalidApiKey": "AuthFailure.SecretIdNotFound",
  "MissingParameter.SignName": "MissingParameter",
  ResourceNotFound: "ResourceNotFound",
  "ResourceNotFound.Route": "InvalidAction",
  "FailedOperation.ProviderRejected": "FailedOperation",
  "FailedOperation.ProviderAuthFailure": "InternalError.OtherError",
  "InternalError.ProviderUnavailable": "InternalError.SendAndRecvFail",
  "InternalError.ProviderTimeout": "InternalError.Timeout",
  "InternalError.ProviderBadResponse": "InternalError.UnknownError",
  InternalError: "InternalError.OtherError",
};

export const tencentCode = (code: string): string =>
  TENCENT_NAME[code as ErrorCode] ?? (code === "Ok" ? "Ok" : code);

const text = z.string();
const sendSmsSchema = z.object({
  PhoneNumberSet: z.array(text.check(z.maxLength(32))).check(z.maxLength(1000)),
  SmsSdkAppId: text.check(z.minLength(1), z.maxLength(32)),
  TemplateId: text.check(z.minLength(1), z.maxLength(64)),
  SignName: z.optional(text.check(z.maxLength(32))),
  TemplateParamSet: z.optional(z.array(text.check(z.maxLength(64))).check(z.maxLength(32))),
  SessionContext: z.optional(
    text.check(z.maxLength(256, "at most 256 characters (smsgate keeps it on every record)")),
  ),
  ExtendCode: z.optional(text),
  SenderId: z.optional(text),
});

const pullSchema = z.object({
  Limit: z.number(),
  SmsSdkAppId: text.check(z.minLength(1), z.maxLength(32)),
});

interface Verified {
  credential: TencentCredential;
  key: string;
  app: App | undefined;
  template: Template | undefined;
  body: unknown;
}

function tc3Request(req: HttpRequest): Tc3Request {
  return {
    method: req.method,
    path: req.path || "/",
    // POST is what the SDKs send (docs/providers/tencent.md §2.2); a query would be signed too.
    query: "",
    headers: req.headers,
    body: Buffer.from(req.body, "utf8"),
  };
}

/** TC3 first, as Tencent does: nothing about the request is answered before it is verified. */
async function verify(deps: Deps, req: HttpRequest): Promise<Verified> {
  const tc3 = tc3Request(req);
  const pre = preverify(tc3, deps.clock.now());
  if (!pre.ok) throw new AppError(pre.code, pre.message);
  const appId = SECRET_ID.exec(pre.auth.secretId)?.[1];
  if (!appId) throw new AppError("AuthFailure.SecretIdNotFound");
  let body: unknown;
  try {
    body = req.body === "" ? {} : JSON.parse(req.body);
  } catch {
    body = undefined;
  }
  const named = (body as { TemplateId?: unknown } | undefined)?.TemplateId;
  const ctx = await deps.store.loadTencentContext(
    pre.auth.secretId,
    appId,
    req.headers["x-tc-action"] === "SendSms" && typeof named === "string" && named.length <= 64
      ? named
      : undefined,
  );
  if (!ctx.credential) throw new AppError("AuthFailure.SecretIdNotFound");
  const { secretKey, key } = JSON.parse(unseal(masterSecret(deps.config), ctx.credential.sealed));
  if (!signatureMatches(tc3, pre.auth, pre.timestamp, secretKey))
    throw new AppError("AuthFailure.SignatureFailure");
  if (body === undefined)
    throw new AppError("FailedOperation.JsonParseFail", "The body is not valid JSON.");
  return { credential: ctx.credential, key, app: ctx.app, template: ctx.template, body };
}

/** SmsSdkAppId names the app: its smsgate id, or the SdkAppId of its Tencent binding. */
function checkSdkAppId(deps: Deps, app: App | undefined, sdkAppId: string): App {
  if (!app) throw new AppError("AuthFailure.SecretIdNotFound");
  const own = app.providers
    .filter((b) => b.provider === "tencent")
    .map((b) => b.sdkAppId ?? deps.config.TENCENT_SDK_APP_ID);
  if (sdkAppId !== app.appId && !own.includes(sdkAppId))
    throw new AppError(
      "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
      `SmsSdkAppId ${sdkAppId} is not this credential's app; use ${app.appId}${own[0] ? ` or ${own[0]}` : ""}.`,
    );
  return app;
}

/** TemplateId is a template's own id, or the Tencent template id it is registered with. */
async function templateFor(
  deps: Deps,
  app: App,
  loaded: Template | undefined,
  templateId: string,
): Promise<string> {
  if (loaded) return loaded.id;
  const all = await deps.store.listTemplates(app.appId);
  const match = all.find((t) => t.providerTemplateIds.tencent === templateId);
  if (!match)
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `TemplateId ${templateId} is neither a template of this app nor the Tencent id of one.`,
    );
  return match.id;
}

/** One SendStatus per distinct number (docs/providers/tencent.md §1.2, §1.3). */
function sendStatus(m: PerNumberResult, sessionContext: string) {
  const ok = m.status === "submitted";
  return {
    // The smsgate message id: the same id GET /v1/messages/{id} and PullSmsSendStatus use.
    // "" for a number nothing was sent to, as Tencent does.
    SerialNo: ok || m.status === "unknown" ? (m.id ?? "") : "",
    PhoneNumber: m.to,
    Fee: ok ? (m.segments ?? 0) : 0,
    SessionContext: sessionContext,
    Code: ok ? "Ok" : tencentCode(m.code),
    Message: ok ? "send success" : (m.message ?? m.code),
    IsoCode: ok ? (m.country ?? "") : "",
  };
}

async function sendSms(deps: Deps, req: HttpRequest, v: Verified) {
  const input = validate(sendSmsSchema, v.body);
  if (input.ExtendCode)
    throw new AppError("UnsupportedOperation", "ExtendCode is not supported; leave it out.");
  if (input.SenderId)
    throw new AppError("UnsupportedOperation", "SenderId is not supported; leave it out.");
  const app = checkSdkAppId(deps, v.app, input.SmsSdkAppId);
  const template = await templateFor(deps, app, v.template, input.TemplateId);
  const sent = await submit(deps, {
    key: v.key,
    to: input.PhoneNumberSet,
    template,
    params: input.TemplateParamSet ?? [],
    // Tencent reads "" as no signature (international sends).
    sign: input.SignName || undefined,
    context: input.SessionContext || undefined,
    requestId: req.requestId,
    origin: req.origin,
  });
  return {
    SendStatusSet: sent.messages.map((m) => sendStatus(m, input.SessionContext ?? "")),
  };
}

async function pullSmsSendStatus(deps: Deps, v: Verified) {
  if (!v.credential.scopes.includes("read"))
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      "This credential lacks the `read` scope; issue one with scopes send and read.",
    );
  const input = validate(pullSchema, v.body);
  if (!Number.isInteger(input.Limit) || input.Limit < 1 || input.Limit > 100)
    throw new AppError("InvalidParameterValue.LimitVerifyFail");
  const app = checkSdkAppId(deps, v.app, input.SmsSdkAppId);
  const pulled = await deps.store.pullStatuses(app.appId, input.Limit);
  return {
    PullSmsSendStatusSet: pulled.map((s) => {
      const phone = s.phone ?? "";
      const { countryCode, subscriber } = splitE164(phone);
      return {
        UserReceiveTime: Math.floor(Date.parse(s.receivedAt) / 1000),
        CountryCode: countryCode,
        SubscriberNumber: subscriber,
        PhoneNumber: phone,
        SerialNo: s.messageId,
        ReportStatus: s.status === "delivered" ? "SUCCESS" : "FAIL",
        Description: s.carrierCode,
        SessionContext: s.context ?? "",
      };
    }),
  };
}

const tencentAnswer = (req: HttpRequest, response: object): HttpResponse =>
  json(
    200,
    { Response: { ...response, RequestId: req.requestId } },
    req.headers["x-tc-traceid"] ? { "x-tc-traceid": req.headers["x-tc-traceid"] } : {},
  );

export const tencentRoute: Route = {
  method: "post",
  path: "/",
  summary:
    "Tencent Cloud SMS API 2021-01-11 (X-TC-Action SendSms, PullSmsSendStatus), signed with TC3-HMAC-SHA256",
  access: "send",
  // TC3 is verified here, against the credential loaded in the same read as the app.
  authenticatesItself: true,
  async handle({ deps, req }) {
    try {
      const verified = await verify(deps, req);
      if (req.headers["x-tc-version"] !== TENCENT_VERSION)
        throw new AppError("NoSuchVersion", `Use X-TC-Version ${TENCENT_VERSION}.`);
      const action = req.headers["x-tc-action"];
      if (action === "SendSms") return tencentAnswer(req, await sendSms(deps, req, verified));
      if (action === "PullSmsSendStatus")
        return tencentAnswer(req, await pullSmsSendStatus(deps, verified));
      throw new AppError(
        "InvalidAction",
        `Action ${action ?? "(none)"} is not offered; use SendSms or PullSmsSendStatus.`,
      );
    } catch (err) {
      const known = err instanceof AppError;
      if (!known)
        deps.log.error("unhandled", {
          requestId: req.requestId,
          route: req.routeKey,
          err: err as Error,
          stack: (err as Error)?.stack,
        });
      const e = known ? err : new AppError("InternalError");
      return tencentAnswer(req, { Error: { Code: tencentCode(e.code), Message: e.message } });
    }
  },
};
