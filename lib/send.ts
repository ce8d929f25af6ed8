/**
 * The send pipeline (DESIGN.md "The send pipeline"). Round trips on the happy path:
 * 1) one BatchGetItem — key, app, template, opt-outs; 2) in parallel — Idempotency-Key claim,
 * each number's frequency item, the app's day counters, the prepaid balance; the vendor call;
 * 3) one BatchWriteItem — every record and the idempotent answer.
 */
import { z } from "zod";
import { appIdOfKey, authorize, requireEnabled, resolvePrincipal } from "./auth";
import type { Deps } from "./deps";
import { AppError } from "./errors";
import { sha256Hex, ulid } from "./ids";
import type { App, MessageRecord, PerNumberResult, Template } from "./model";
import { type Phone, parsePhone } from "./phone";
import {
  evaluate,
  type Held,
  missingFooter,
  release,
  reserve,
  type SendPlan,
  screen,
  settleCounters,
} from "./policy";
import type { NumberOutcome, Provider } from "./providers/port";
import {
  publicRecord,
  type RecordBase,
  rejectedRecord,
  resultOf,
  vendorRecord,
  withExpiry,
} from "./records";
import type { IdempotencyRecord, RequestContext } from "./store";
import { checkParams, isValidSign, render, segments, withSignature } from "./template";
import { dayOf, hourOf } from "./time";

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

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, "use printable ASCII");

export interface SendResponse {
  requestId: string;
  dryRun?: true;
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

/** Request-level template rules: region, params, signature, footer. Returns the signature to use. */
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
  const footer = missingFooter(app, template);
  if (footer)
    throw new AppError(
      "FailedOperation.TemplateIncorrectOrUnapproved",
      `Marketing template "${template.id}" lacks the unsubscribe footer "${footer}".`,
    );
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A repeated Idempotency-Key: the first answer, 422 for another body, 409 while it runs. */
async function replay(
  deps: Deps,
  appId: string,
  idemKey: string,
  fingerprint: string,
  first: IdempotencyRecord | undefined,
): Promise<SendResponse> {
  let existing = first;
  // Concurrent duplicates wait briefly for the first to finish, so all get the same answer.
  for (let i = 0; i < 20; i++) {
    if (existing && existing.fingerprint !== fingerprint)
      throw new AppError("FailedOperation.IdempotencyKeyReused");
    if (existing?.state === "done" && existing.response)
      return JSON.parse(existing.response) as SendResponse;
    await sleep(50);
    existing = await deps.store.getIdempotency(appId, idemKey);
  }
  throw new AppError("FailedOperation.IdempotencyInProgress");
}

interface Authorized {
  app: App;
  template: Template;
  sign: string | undefined;
  provider: Provider;
  binding: App["providers"][number];
  providerTemplateId: string;
}

/** Steps 1–3 on what the first round trip loaded: key, scope, app, template, signature. */
function authorizeSend(
  deps: Deps,
  key: string,
  ctx: RequestContext,
  body: SendBody,
  phones: Phone[],
): Authorized {
  const principal = resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
  if (principal.appId === "*")
    throw new AppError(
      "AuthFailure.UnauthorizedOperation",
      "Send with an app key; the operator key cannot send.",
    );
  authorize(principal, "send");
  const app = requireEnabled(ctx.app);
  const template = ctx.template;
  if (!template)
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `Template "${body.template}" does not exist for this app.`,
    );
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
  return { app, template, sign, provider, binding, providerTemplateId };
}

/** POST /v1/messages. */
export async function sendMessages(
  deps: Deps,
  input: { key: string; body: SendBody; requestId: string; idempotencyKey?: string },
): Promise<SendResponse> {
  const { key, body, requestId, idempotencyKey } = input;
  const phones = recipients(body.to);
  const appId = appIdOfKey(key);
  const fingerprint = sha256Hex(JSON.stringify(body));
  // The Idempotency-Key is claimed alongside authentication, before anything is reserved,
  // so a duplicate never holds a reservation its original needs.
  const claiming = idempotencyKey && appId && !body.dryRun ? idempotencyKey : undefined;
  const [ctx, claim] = await Promise.all([
    deps.store.loadRequestContext(
      sha256Hex(key),
      appId,
      body.template,
      phones.map((p) => p.e164),
    ),
    claiming
      ? deps.store.claimIdempotency(
          appId as string,
          claiming,
          fingerprint,
          new Date(deps.clock.now()).toISOString(),
        )
      : undefined,
  ]);
  let request: Authorized;
  try {
    request = authorizeSend(deps, key, ctx, body, phones);
  } catch (err) {
    // Refused before anything was sent: the key is free for a corrected retry.
    if (claim?.claimed) await deps.store.releaseIdempotency(appId as string, claiming as string);
    throw err;
  }
  if (claim && !claim.claimed)
    return replay(deps, request.app.appId, claiming as string, fingerprint, claim.existing);
  const { app, template, sign, provider, binding, providerTemplateId } = request;

  const now = deps.clock.now();
  const text = withSignature(render(template.body, body.params), sign, template.region);
  const plan: SendPlan = {
    app,
    template,
    sign,
    segments: segments(text, template.region),
    contentKey: sha256Hex(`${template.id}\u0000${text}`).slice(0, 10),
    now,
    at: new Date(now).toISOString(),
    day: dayOf(now, app.timeZone),
    hour: hourOf(now, app.timeZone),
  };
  const screened = screen(plan, phones, ctx.optOuts);
  const candidates = phones.filter((p) => !screened.has(p.e164));

  if (body.dryRun) {
    const refused = new Map([...screened, ...(await evaluate(deps, plan, candidates))]);
    return {
      requestId,
      dryRun: true,
      messages: phones.map((p) => {
        const code = refused.get(p.e164);
        return code
          ? { to: p.e164, status: "rejected", code, country: p.country }
          : {
              to: p.e164,
              status: "allowed",
              code: "Ok",
              segments: plan.segments,
              country: p.country,
            };
      }),
    };
  }

  const held = await reserve(deps, plan, candidates);

  let outcomes: NumberOutcome[];
  try {
    outcomes = await handToVendor(
      deps,
      provider,
      binding,
      providerTemplateId,
      plan,
      body,
      held,
      requestId,
    );
  } catch (err) {
    // Only a bug gets here (adapters answer every fault per number): nothing was sent.
    await Promise.all([
      release(deps, plan, held, held.held),
      settleCounters(deps, plan, held, [], []),
      claiming ? deps.store.releaseIdempotency(app.appId, claiming) : undefined,
    ]);
    throw err;
  }

  const base: RecordBase = {
    app,
    template,
    params: body.params,
    sign,
    context: body.context,
    requestId,
    provider: provider.name,
    at: plan.at,
    day: plan.day,
    hour: plan.hour,
    newId: () => ulid(deps.clock.now()),
  };
  const byNumber = new Map(outcomes.map((o) => [o.to, o]));
  const records: MessageRecord[] = phones.map((p) => {
    const code = screened.get(p.e164) ?? held.refused.get(p.e164);
    const outcome = byNumber.get(p.e164);
    if (code || !outcome) return rejectedRecord(base, p, code ?? "InternalError");
    return vendorRecord(base, p, outcome);
  });
  const response: SendResponse = { requestId, messages: records.map(resultOf) };
  const vendorRefused = held.held.filter((p) => byNumber.get(p.e164)?.status === "refused");

  await Promise.all([
    deps.store.putMessages(
      records,
      claiming
        ? [
            deps.store.idempotencyResult(
              app.appId,
              claiming,
              fingerprint,
              JSON.stringify(response),
              plan.at,
              plan.at,
            ),
          ]
        : [],
    ),
    release(deps, plan, held, vendorRefused),
    settleCounters(deps, plan, held, held.held, records),
  ]);
  for (const r of records)
    deps.log.info("message", { requestId, id: r.id, to: r.to, status: r.status, code: r.code });
  return response;
}

/** One vendor call per maxBatch numbers; numbers nobody holds a reservation for are not sent. */
async function handToVendor(
  deps: Deps,
  provider: Provider,
  binding: App["providers"][number],
  providerTemplateId: string,
  plan: SendPlan,
  body: SendBody,
  held: Held,
  requestId: string,
): Promise<NumberOutcome[]> {
  const outcomes: NumberOutcome[] = [];
  for (let i = 0; i < held.held.length; i += provider.maxBatch) {
    const numbers = held.held.slice(i, i + provider.maxBatch).map((p) => p.e164);
    const batch = {
      binding,
      numbers,
      providerTemplateId,
      region: plan.template.region,
      params: body.params,
      sign: plan.sign,
      reference: requestId,
    };
    outcomes.push(...(await provider.send(batch)));
  }
  deps.log.debug("vendor answered", { requestId, numbers: held.held.length });
  return outcomes;
}

/** GET /v1/messages/{id}. */
export async function getMessage(deps: Deps, key: string, id: string) {
  const ctx = await deps.store.loadRequestContext(sha256Hex(key), undefined);
  const principal = resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
  authorize(principal, "read");
  const record = await deps.store.getMessage(id);
  // Another app's message answers exactly like a missing one.
  if (!record || (principal.appId !== "*" && record.appId !== principal.appId)) {
    throw new AppError("ResourceNotFound", `No message ${id}.`);
  }
  return publicRecord(withExpiry(record, deps.clock.now()));
}
