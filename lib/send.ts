/**
 * The send pipeline (DESIGN.md "The send pipeline"): authenticate, validate, check the
 * template, hand the numbers to the provider, record every recipient, answer per number.
 */
import { z } from "zod";
import { appIdOfKey, authorize, requireEnabled, resolvePrincipal } from "./auth";
import type { Deps } from "./deps";
import { AppError, messageFor } from "./errors";
import { messageIdForSerial, sha256Hex, ulid } from "./ids";
import type { App, MessageRecord, PerNumberResult, Template } from "./model";
import { type Phone, parsePhone } from "./phone";
import type { NumberOutcome, Provider } from "./providers/port";
import { checkParams, isValidSign } from "./template";

export const MAX_RECIPIENTS = 200;

export const sendBodySchema = z
  .object({
    to: z.array(z.string().max(32, "each number is at most 32 characters")),
    template: z.string().min(1).max(64),
    params: z.array(z.string().max(64, "each param is at most 64 characters")).max(32).default([]),
    sign: z.string().min(1).max(32).optional(),
    context: z.string().max(256).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

export type SendBody = z.infer<typeof sendBodySchema>;

export interface SendResponse {
  requestId: string;
  messages: PerNumberResult[];
}

/** Normalises and de-duplicates the recipients; refuses the whole request on a bad one. */
export function recipients(to: string[]): Phone[] {
  if (to.length === 0) throw new AppError("MissingParameter.EmptyPhoneNumberSet");
  if (to.length > MAX_RECIPIENTS) {
    throw new AppError(
      "LimitExceeded.PhoneNumberCountLimit",
      `Send to at most ${MAX_RECIPIENTS} numbers per request; got ${to.length}.`,
    );
  }
  const seen = new Map<string, Phone>();
  for (const [i, raw] of to.entries()) {
    const phone = parsePhone(raw);
    if (!phone) {
      throw new AppError(
        "InvalidParameterValue.IncorrectPhoneNumber",
        `to[${i}] is not a valid number; use E.164 (+8613800138000) or an 11-digit mainland number.`,
      );
    }
    seen.set(phone.e164, phone);
  }
  const phones = [...seen.values()];
  const mainland = phones.filter((p) => p.mainland).length;
  if (mainland > 0 && mainland < phones.length)
    throw new AppError("UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber");
  return phones;
}

/** Request-level template rules: region, params, signature. Returns the signature to use. */
export function checkTemplate(
  app: App,
  template: Template,
  body: SendBody,
  phones: Phone[],
): string | undefined {
  const mainland = phones[0]?.mainland ?? false;
  if (mainland && template.region === "international")
    throw new AppError("UnsupportedOperation.GlobalTemplateToChineseMainlandPhone");
  if (!mainland && template.region === "domestic")
    throw new AppError("UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone");
  const broken = checkParams(template.kind, template.variables, body.params);
  if (broken) throw new AppError(broken.code, broken.message);
  const sign = body.sign ?? app.defaultSign;
  if (mainland && !sign) throw new AppError("MissingParameter.SignName");
  if (sign && (!isValidSign(sign) || !app.signatures.includes(sign))) {
    throw new AppError(
      "FailedOperation.SignatureIncorrectOrUnapproved",
      `Signature "${sign}" is not approved for this app; approved: ${app.signatures.join(", ") || "none"}.`,
    );
  }
  return sign;
}

/** What we keep of params: verification codes never reach the table in clear. */
export function storedParams(template: Template, params: string[]): string[] {
  return template.kind === "verification" ? params.map((p) => "*".repeat(p.length)) : params;
}

function providerFor(deps: Deps, app: App): Provider {
  for (const binding of app.providers) {
    const p = deps.providers.get(binding.provider);
    if (p) return p;
  }
  throw new AppError(
    "InternalError.ProviderUnavailable",
    "No configured provider can serve this app; check its providers.",
  );
}

/** POST /v1/messages. */
export async function sendMessages(
  deps: Deps,
  input: { key: string; body: SendBody; requestId: string },
): Promise<SendResponse> {
  const { key, body, requestId } = input;
  const appId = appIdOfKey(key);
  const ctx = await deps.store.loadRequestContext(sha256Hex(key), appId, body.template);
  const principal = resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
  if (principal.appId === "*") {
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      "Send with an app key; the operator key cannot send.",
    );
  }
  authorize(principal, "send");
  const app = requireEnabled(ctx.app);
  const phones = recipients(body.to);
  const template = ctx.template;
  if (!template) {
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `Template "${body.template}" does not exist for this app.`,
    );
  }
  const sign = checkTemplate(app, template, body, phones);
  const provider = providerFor(deps, app);
  const binding = app.providers.find((b) => b.provider === provider.name) ?? {
    provider: provider.name,
  };
  const providerTemplateId = template.providerTemplateIds[provider.name];
  if (!providerTemplateId) {
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `Template "${template.id}" has no ${provider.name} template id.`,
    );
  }

  if (body.dryRun) {
    return {
      requestId,
      messages: phones.map((p) => ({
        to: p.e164,
        status: "allowed",
        code: "Ok",
        country: p.country,
      })),
    };
  }

  const outcomes: NumberOutcome[] = [];
  for (let i = 0; i < phones.length; i += provider.maxBatch) {
    const numbers = phones.slice(i, i + provider.maxBatch).map((p) => p.e164);
    outcomes.push(
      ...(await provider.send({
        binding,
        numbers,
        providerTemplateId,
        region: template.region,
        params: body.params,
        sign,
        reference: requestId,
      })),
    );
  }

  const now = new Date(deps.clock.now()).toISOString();
  const byNumber = new Map(phones.map((p) => [p.e164, p]));
  const records = outcomes.map((o) =>
    recordOf(o, {
      deps,
      app,
      template,
      body,
      sign,
      requestId,
      now,
      provider: provider.name,
      phone: byNumber.get(o.to),
    }),
  );
  await deps.store.putMessages(records);
  for (const r of records) {
    deps.log.info("message", { requestId, id: r.id, to: r.to, status: r.status, code: r.code });
  }
  return { requestId, messages: records.map(resultOf) };
}

function recordOf(
  o: NumberOutcome,
  c: {
    deps: Deps;
    app: App;
    template: Template;
    body: SendBody;
    sign: string | undefined;
    requestId: string;
    now: string;
    provider: Provider["name"];
    phone: Phone | undefined;
  },
): MessageRecord {
  const base = {
    appId: c.app.appId,
    requestId: c.requestId,
    to: o.to,
    country: c.phone?.country ?? "DEF",
    template: c.template.id,
    templateKind: c.template.kind,
    params: storedParams(c.template, c.body.params),
    sign: c.sign,
    context: c.body.context,
    provider: c.provider,
    createdAt: c.now,
  };
  switch (o.status) {
    case "accepted":
      return {
        ...base,
        id: messageIdForSerial(c.provider, o.serial),
        country: o.country !== "DEF" ? o.country : base.country,
        status: "submitted",
        code: "Ok",
        segments: o.segments,
        providerMessageId: o.serial,
        submittedAt: c.now,
        history: [{ status: "submitted", at: c.now }],
      };
    case "refused":
      return {
        ...base,
        id: ulid(c.deps.clock.now()),
        status: "failed",
        code: o.code,
        message:
          o.code === "FailedOperation.ProviderRejected"
            ? `${messageFor(o.code)} (${o.vendorCode})`
            : messageFor(o.code),
        vendorCode: o.vendorCode,
        segments: 0,
        history: [{ status: "failed", at: c.now, code: o.vendorCode }],
      };
    case "unknown":
      return {
        ...base,
        id: ulid(c.deps.clock.now()),
        status: "unknown",
        code: o.code,
        message: messageFor(o.code),
        vendorCode: o.vendorCode,
        segments: 0,
        history: [{ status: "unknown", at: c.now, code: o.code }],
      };
  }
}

function resultOf(r: MessageRecord): PerNumberResult {
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
    params: r.params,
    sign: r.sign,
    status: r.status,
    code: r.code,
    message: r.message,
    segments: r.segments,
    country: r.country,
    context: r.context,
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

/** GET /v1/messages/{id}. */
export async function getMessage(deps: Deps, key: string, id: string) {
  const appId = appIdOfKey(key);
  const ctx = await deps.store.loadRequestContext(sha256Hex(key), appId);
  const principal = resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
  authorize(principal, "read");
  const record = await deps.store.getMessage(id);
  // Another app's message answers exactly like a missing one.
  if (!record || (principal.appId !== "*" && record.appId !== principal.appId)) {
    throw new AppError("ResourceNotFound", `No message ${id}.`);
  }
  return publicRecord(record);
}
