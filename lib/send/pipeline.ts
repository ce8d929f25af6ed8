/**
 * The send pipeline (docs/architecture.md "The send pipeline"). Round trips on the happy path:
 * 1) one BatchGetItem — key, app, template, opt-outs; 2) in parallel — Idempotency-Key claim,
 * each number's frequency item, the app's day counters, the prepaid balance; the vendor call;
 * 3) one BatchWriteItem — every record and the idempotent answer.
 */
import * as z from "zod/mini";
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { sha256Hex, ulid } from "../core/ids";
import type { App, MessageRecord, PerNumberResult, ProviderName, Template } from "../core/model";
import { type Phone, parsePhone } from "../core/phone";
import { callbackUrls } from "../core/secrets";
import { dayOf, hourOf } from "../core/time";
import { appIdOfKey, authorize, requireEnabled, resolvePrincipal } from "../http/auth";
import type { NumberOutcome, Provider } from "../providers/port";
import {
  publicRecord,
  type RecordBase,
  rejectedRecord,
  resultOf,
  vendorRecord,
  withExpiry,
} from "../rules/records";
import { checkParams, isValidSign, render, segments, withSignature } from "../rules/template";
import type { IdempotencyRecord, RequestContext } from "../store";
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

export const MAX_RECIPIENTS = 200;

export const sendBodySchema = z.strictObject({
  to: z.array(z.string().check(z.maxLength(32, "each number is at most 32 characters"))),
  template: z.string().check(z.minLength(1), z.maxLength(64)),
  params: z._default(
    z
      .array(z.string().check(z.maxLength(64, "each param is at most 64 characters")))
      .check(z.maxLength(32)),
    [],
  ),
  sign: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  context: z.optional(z.string().check(z.maxLength(256))),
  dryRun: z._default(z.boolean(), false),
});

export type SendBody = z.output<typeof sendBodySchema>;

export const idempotencyKeySchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, "use printable ASCII"));

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

/** One provider an app may send through, with what that provider needs for this template. */
interface Route {
  provider: Provider;
  binding: App["providers"][number];
  providerTemplateId: string;
}

/** The app's providers in its order, keeping those this deployment can send through. */
function routesFor(deps: Deps, app: App, template: Template): Route[] {
  const routes: Route[] = [];
  for (const binding of app.providers) {
    const provider = deps.providers.get(binding.provider);
    const providerTemplateId = template.providerTemplateIds[binding.provider];
    if (provider && providerTemplateId) routes.push({ provider, binding, providerTemplateId });
  }
  if (routes.length === 0) {
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `Template "${template.id}" has no template id for any provider this app can use (${app.providers.map((b) => b.provider).join(", ")}).`,
    );
  }
  return routes;
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
  routes: Route[];
}

/** Steps 1–3 on what the first round trip loaded: key, scope, app, template, signature. */
function authorizeSend(
  deps: Deps,
  key: string,
  ctx: RequestContext,
  body: SendBody,
  phones: Phone[],
  asApp?: string,
): Authorized {
  const principal = asApp
    ? { appId: asApp, scopes: ["send" as const], keyId: "campaign" }
    : resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
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
  return { app, template, sign, routes: routesFor(deps, app, template) };
}

/** POST /v1/messages. */
export async function sendMessages(
  deps: Deps,
  input: {
    key: string;
    body: SendBody;
    requestId: string;
    idempotencyKey?: string;
    origin: string;
    /**
     * Send as this app without a key: a campaign's worker, whose campaign was authorized
     * when it was created and started (lib/campaigns/engine.ts).
     */
    asApp?: string;
  },
): Promise<SendResponse> {
  const { key, body, requestId, idempotencyKey, origin, asApp } = input;
  const phones = recipients(body.to);
  const appId = asApp ?? appIdOfKey(key);
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
    request = authorizeSend(deps, key, ctx, body, phones, asApp);
  } catch (err) {
    // Refused before anything was sent: the key is free for a corrected retry.
    if (claim?.claimed) await deps.store.releaseIdempotency(appId as string, claiming as string);
    throw err;
  }
  if (claim && !claim.claimed)
    return replay(deps, request.app.appId, claiming as string, fingerprint, claim.existing);
  const { app, template, sign, routes } = request;

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

  let held: Held;
  try {
    held = await reserve(deps, plan, candidates);
  } catch (err) {
    // The store failed before anything was sent: free the key for a retry.
    if (claiming) await deps.store.releaseIdempotency(app.appId, claiming);
    throw err;
  }

  let outcomes: Map<string, { outcome: NumberOutcome; provider: ProviderName; binding: string }>;
  try {
    outcomes = await handToVendor(deps, routes, plan, body, held, requestId, origin);
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
    provider: routes[0]?.provider.name ?? "tencent",
    at: plan.at,
    day: plan.day,
    hour: plan.hour,
    newId: () => ulid(deps.clock.now()),
  };
  const records: MessageRecord[] = phones.map((p) => {
    const code = screened.get(p.e164) ?? held.refused.get(p.e164);
    const sent = outcomes.get(p.e164);
    if (code || !sent) return rejectedRecord(base, p, code ?? "InternalError");
    return vendorRecord(
      { ...base, provider: sent.provider, binding: sent.binding },
      p,
      sent.outcome,
    );
  });
  const response: SendResponse = { requestId, messages: records.map(resultOf) };
  const vendorRefused = held.held.filter((p) => outcomes.get(p.e164)?.outcome.status === "refused");

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
  routes: Route[],
  plan: SendPlan,
  body: SendBody,
  held: Held,
  requestId: string,
  origin: string,
): Promise<Map<string, { outcome: NumberOutcome; provider: ProviderName; binding: string }>> {
  const results = new Map<
    string,
    { outcome: NumberOutcome; provider: ProviderName; binding: string }
  >();
  let pending = held.held.map((p) => p.e164);
  for (const [i, route] of routes.entries()) {
    const { provider } = route;
    const next: string[] = [];
    for (let b = 0; b < pending.length; b += provider.maxBatch) {
      const numbers = pending.slice(b, b + provider.maxBatch);
      const outcomes = await provider.send({
        binding: route.binding,
        numbers,
        providerTemplateId: route.providerTemplateId,
        region: plan.template.region,
        params: body.params,
        sign: plan.sign,
        reference: requestId,
        statusCallbackUrl: callbackUrls(deps.config, origin, plan.app.appId)[provider.name].status,
      });
      for (const o of outcomes) {
        results.set(o.to, {
          outcome: o,
          provider: provider.name,
          binding: bindingKey(deps.config, route.binding),
        });
        // Failover only when the vendor certainly sent nothing; never on a timeout.
        if (o.status === "refused" && o.failover && i < routes.length - 1) next.push(o.to);
      }
    }
    if (next.length)
      deps.log.warn("failover", {
        requestId,
        from: provider.name,
        to: routes[i + 1]?.provider.name,
        numbers: next.length,
      });
    pending = next;
    if (pending.length === 0) break;
  }
  return results;
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
