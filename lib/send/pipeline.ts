/**
 * The send pipeline (docs/architecture.md "Following one send"). Round trips on the happy path:
 * 1) one BatchGetItem — key, app, template, opt-outs — beside the Idempotency-Key claim;
 * 2) in parallel — each number's frequency item, the app's day counters, the prepaid balance,
 * and the in-flight records with the provisional answer; the vendor call;
 * 3) in parallel — the final records and answer, and settling every hold.
 */
import * as z from "zod/mini";
import { bindingKey } from "../core/binding";
import type { Deps } from "../core/deps";
import { AppError, type ErrorCode } from "../core/errors";
import { sha256Hex, ulid } from "../core/ids";
import type {
  App,
  MessageRecord,
  OptOutEntry,
  PerNumberResult,
  ProviderName,
  Template,
} from "../core/model";
import { type Phone, parsePhone } from "../core/phone";
import { callbackUrls } from "../core/secrets";
import { dayOf, hourOf, previousDay } from "../core/time";
import { appIdOfKey, authorize, requireEnabled, resolvePrincipal } from "../http/auth";
import type { NumberOutcome, Provider } from "../providers/port";
import {
  inFlightRecord,
  publicRecord,
  type RecordBase,
  rejectedRecord,
  resultOf,
  vendorRecord,
  withExpiry,
} from "../rules/records";
import {
  checkParams,
  isValidIntlSign,
  isValidSign,
  render,
  segments,
  TENCENT_DEFAULT_PARAM_LENGTH,
  withSignature,
} from "../rules/template";
import { shardsOn } from "../rules/usage";
import type { IdempotencyRecord, RequestContext } from "../store";
import { supersededKeys } from "../store/inflight";
import type { Key } from "../store/keys";
import { outboxPartition } from "../store/outbox";
import { statusEvents } from "../webhooks/events";
import { wakeOutbox } from "../webhooks/queue";
import {
  evaluate,
  type Fate,
  type Held,
  missingFooter,
  reserve,
  type SendPlan,
  screen,
  segmentsOf,
  settle,
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

/** A `to` entry that is not a phone number: refused on its own, as Tencent does per number. */
export interface InvalidRecipient {
  to: string;
  index: number;
}

/**
 * Normalises and de-duplicates the recipients. A bad number gets its own `rejected` entry and
 * the others are sent; only a request with no valid number at all is refused whole.
 */
export function recipients(to: string[]): { phones: Phone[]; invalid: InvalidRecipient[] } {
  if (to.length === 0) throw new AppError("MissingParameter.EmptyPhoneNumberSet");
  if (to.length > MAX_RECIPIENTS) {
    throw new AppError(
      "LimitExceeded.PhoneNumberCountLimit",
      `Send to at most ${MAX_RECIPIENTS} numbers per request; got ${to.length}.`,
    );
  }
  const seen = new Map<string, Phone>();
  const invalid: InvalidRecipient[] = [];
  const bad = new Set<string>();
  for (const [i, raw] of to.entries()) {
    const phone = parsePhone(raw);
    if (phone) seen.set(phone.e164, phone);
    else if (!bad.has(raw)) {
      bad.add(raw);
      invalid.push({ to: raw, index: i });
    }
  }
  const phones = [...seen.values()];
  if (phones.length === 0) {
    throw new AppError(
      "InvalidParameterValue.IncorrectPhoneNumber",
      `${invalid.length === 1 ? `to[${invalid[0]?.index}] is` : "no entry of to is"} not a valid number; use E.164 (+8613800138000) or an 11-digit mainland number.`,
    );
  }
  const mainland = phones.filter((p) => p.mainland).length;
  if (mainland > 0 && mainland < phones.length)
    throw new AppError("UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber");
  return { phones, invalid };
}

const invalidEntry = (r: InvalidRecipient): PerNumberResult => ({
  to: r.to,
  status: "rejected",
  code: "InvalidParameterValue.IncorrectPhoneNumber",
  message: `to[${r.index}] is not a valid number; use E.164 (+8613800138000) or an 11-digit mainland number.`,
});

/** What is wrong with a set of params for this app's template, if anything (the variable rules). */
export function paramsProblem(app: App, template: Template, params: string[]) {
  // Tencent limits non-verification variables to 6 characters unless the template says more
  // (docs/providers/tencent.md §5.3); Huawei documents no such default.
  const maxLength =
    template.maxParamLength ??
    (app.providers[0]?.provider === "tencent" ? TENCENT_DEFAULT_PARAM_LENGTH : undefined);
  return checkParams(template.kind, template.variables, params, maxLength);
}

/**
 * Request-level template rules: region, params, signature, footer. Returns the signature to
 * use. `body.params` is checked unless every number brings its own (checked per number).
 */
export function checkTemplate(
  app: App,
  template: Template,
  body: SendBody,
  phones: Phone[],
  checkBodyParams = true,
): string | undefined {
  const mainland = phones[0]?.mainland ?? false;
  if (mainland && template.region === "international")
    throw new AppError("UnsupportedOperation.GlobalTemplateToChineseMainlandPhone");
  if (!mainland && template.region === "domestic")
    throw new AppError("UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone");
  const broken = checkBodyParams ? paramsProblem(app, template, body.params) : undefined;
  if (broken) throw new AppError(broken.code, broken.message);
  const footer = missingFooter(app, template);
  if (footer)
    throw new AppError(
      "FailedOperation.TemplateIncorrectOrUnapproved",
      `Marketing template "${template.id}" lacks the unsubscribe footer "${footer}".`,
    );
  const sign = body.sign ?? app.defaultSign;
  if (mainland && !sign) throw new AppError("MissingParameter.SignName");
  const wellFormed = mainland ? isValidSign : isValidIntlSign;
  if (sign && (!wellFormed(sign) || !app.signatures.includes(sign))) {
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

/**
 * How long an Idempotency-Key's holder is presumed alive: the send function times out after
 * 10 s (serverless.yml, docs/architecture.md "Configuration of a deployment"), so a claim
 * still pending 15 s after it was taken belongs to a request that died. (Powertools for AWS
 * Lambda ties the same in-progress expiry to the function's remaining time.)
 */
export const IN_PROGRESS_MS = 15_000;

/**
 * A repeated Idempotency-Key: the first answer, 422 for another body, 409 while it runs. A
 * holder that died (its lease is over): if it had handed numbers to a vendor, its provisional
 * answer (those numbers `unknown`, reconciled from reports); otherwise "take over" — the
 * caller runs the send itself.
 */
async function replay(
  deps: Deps,
  appId: string,
  idemKey: string,
  fingerprint: string,
  first: IdempotencyRecord | undefined,
): Promise<SendResponse | "take-over"> {
  let existing = first;
  // Concurrent duplicates wait briefly for the first to finish, so all get the same answer.
  for (let i = 0; i < 20; i++) {
    if (existing && existing.fingerprint !== fingerprint)
      throw new AppError("FailedOperation.IdempotencyKeyReused");
    if (existing?.state === "done" && existing.response)
      return JSON.parse(existing.response) as SendResponse;
    if (existing?.state === "pending") {
      const lease = existing.leaseUntil ?? Date.parse(existing.createdAt) + IN_PROGRESS_MS;
      if (lease < deps.clock.now()) {
        if (existing.response) return JSON.parse(existing.response) as SendResponse;
        const now = deps.clock.now();
        const won = await deps.store.takeOverIdempotency(
          appId,
          idemKey,
          fingerprint,
          new Date(now).toISOString(),
          now + IN_PROGRESS_MS,
          existing.leaseUntil,
        );
        if (won) return "take-over";
      }
    }
    await sleep(50);
    existing = await deps.store.getIdempotency(appId, idemKey);
  }
  throw new AppError("FailedOperation.IdempotencyInProgress");
}

/** An authenticated, validated send: what sendBatch needs besides the numbers. */
export interface Authorized {
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
  ownParams = false,
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
  const sign = checkTemplate(app, template, body, phones, !ownParams);
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
    /**
     * Each number's own params, by E.164 (a campaign's rows with variables of their own, for
     * a provider whose one call takes a content per number): every number listed is held to
     * the variable rules on its own, and `body.params` is not used for it.
     */
    paramsByNumber?: Map<string, string[]>;
    /** The campaign sending (lib/campaigns/engine.ts): kept on every record. */
    campaign?: string;
  },
): Promise<SendResponse> {
  const { key, body, requestId, idempotencyKey, origin, asApp, paramsByNumber } = input;
  const { phones, invalid } = recipients(body.to);
  const appId = asApp ?? appIdOfKey(key);
  const own = paramsByNumber?.size ? paramsByNumber : undefined;
  const fingerprint = sha256Hex(JSON.stringify(own ? [body, [...own]] : body));
  // The Idempotency-Key is claimed alongside authentication, before anything is reserved,
  // so a duplicate never holds a reservation its original needs.
  const claiming = idempotencyKey && appId && !body.dryRun ? idempotencyKey : undefined;
  const started = deps.clock.now();
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
          new Date(started).toISOString(),
          started + IN_PROGRESS_MS,
        )
      : undefined,
  ]);
  let request: Authorized;
  try {
    request = authorizeSend(deps, key, ctx, body, phones, asApp, own !== undefined);
  } catch (err) {
    // Refused before anything was sent: the key is free for a corrected retry.
    if (claim?.claimed) await deps.store.releaseIdempotency(appId as string, claiming as string);
    throw err;
  }
  if (claim && !claim.claimed) {
    const replayed = await replay(
      deps,
      request.app.appId,
      claiming as string,
      fingerprint,
      claim.existing,
    );
    if (replayed !== "take-over") return replayed;
  }
  return sendBatch(deps, request, phones, {
    params: body.params,
    paramsByNumber: own,
    context: body.context,
    campaign: input.campaign,
    dryRun: body.dryRun,
    requestId,
    origin,
    optOuts: ctx.optOuts,
    invalid,
    idempotency: claiming ? { key: claiming, fingerprint } : undefined,
  });
}

/** What sendBatch needs besides the authorised request and the numbers. */
export interface BatchOptions {
  params: string[];
  /** Numbers with params of their own, by E.164 (each held to the variable rules). */
  paramsByNumber?: Map<string, string[]>;
  context?: string;
  /** The campaign sending, kept on every record. */
  campaign?: string;
  dryRun?: boolean;
  /** smsgate's reference for this batch: sent to the vendor, kept on every record. */
  requestId: string;
  /** The API's origin, for the callback URLs handed to Huawei. */
  origin: string;
  /** Each number's opt-outs (from loadRequestContext). */
  optOuts: Map<string, OptOutEntry[]>;
  /** Entries of `to` that were not numbers: answered `rejected`, nothing else. */
  invalid?: InvalidRecipient[];
  /** A claimed Idempotency-Key: its answer is written provisionally, then finally. */
  idempotency?: { key: string; fingerprint: string };
}

/**
 * The per-number send policy for one batch of ≤ 200 numbers of one template (steps 6–11 of
 * docs/architecture.md "Following one send"): screening, one round trip that takes every
 * reservation and writes the in-flight records, the vendor, one round trip that writes the
 * final records and settles every hold. Campaigns call it per chunk, with an idempotency key of
 * their own per chunk.
 */
export async function sendBatch(
  deps: Deps,
  request: Authorized,
  phones: Phone[],
  opts: BatchOptions,
): Promise<SendResponse> {
  const { app, template, sign, routes } = request;
  const { requestId, idempotency } = opts;
  const invalid = (opts.invalid ?? []).map(invalidEntry);
  const now = deps.clock.now();
  const textOf = (params: string[]) =>
    withSignature(render(template.body, params), sign, template.region);
  const contentKeyOf = (text: string) => sha256Hex(`${template.id}\u0000${text}`).slice(0, 10);
  const text = textOf(opts.params);
  const day = dayOf(now, app.timeZone);
  // Numbers with params of their own: their params, text, segments and content key; one
  // whose params break the variable rules is refused on its own, as a row.
  const paramsOf = (e164: string) => opts.paramsByNumber?.get(e164) ?? opts.params;
  const perNumber = new Map<string, { segments: number; contentKey: string }>();
  const badParams = new Map<string, ErrorCode>();
  for (const [e164, params] of opts.paramsByNumber ?? []) {
    const broken = paramsProblem(app, template, params);
    if (broken) badParams.set(e164, broken.code);
    const own = textOf(params);
    perNumber.set(e164, {
      segments: segments(own, template.region),
      contentKey: contentKeyOf(own),
    });
  }
  const plan: SendPlan = {
    app,
    template,
    sign,
    segments: segments(text, template.region),
    contentKey: contentKeyOf(text),
    ...(perNumber.size ? { perNumber } : {}),
    now,
    at: new Date(now).toISOString(),
    day,
    yesterday: previousDay(day),
    hour: hourOf(now, app.timeZone),
  };
  const screened = screen(plan, phones, opts.optOuts);
  for (const [e164, code] of badParams) if (!screened.has(e164)) screened.set(e164, code);
  const candidates = phones.filter((p) => !screened.has(p.e164));

  if (opts.dryRun) {
    const refused = new Map([...screened, ...(await evaluate(deps, plan, candidates))]);
    return {
      requestId,
      dryRun: true,
      messages: [
        ...phones.map((p): PerNumberResult => {
          const code = refused.get(p.e164);
          return code
            ? { to: p.e164, status: "rejected", code, country: p.country }
            : {
                to: p.e164,
                status: "allowed",
                code: "Ok",
                segments: segmentsOf(plan, p.e164),
                country: p.country,
              };
        }),
        ...invalid,
      ],
    };
  }

  const base: RecordBase = {
    app,
    template,
    params: opts.params,
    sign,
    context: opts.context,
    ...(opts.campaign ? { campaign: opts.campaign } : {}),
    requestId,
    provider: routes[0]?.provider.name ?? "tencent",
    at: plan.at,
    day: plan.day,
    hour: plan.hour,
    newId: () => ulid(deps.clock.now()),
  };
  // Every candidate gets a record before the vendor call, in the round trip that takes the
  // reservations: if the function dies after the vendor call, the record (and the provisional
  // answer a retry gets) says `unknown`, and the reports reconcile it.
  const baseOf = (e164: string): RecordBase =>
    opts.paramsByNumber?.has(e164) ? { ...base, params: paramsOf(e164) } : base;
  const inFlight = new Map(candidates.map((p) => [p.e164, inFlightRecord(baseOf(p.e164), p)]));
  const screenedRecords = new Map(
    [...screened].map(([e164, code]) => {
      const p = phones.find((x) => x.e164 === e164) as Phone;
      return [e164, rejectedRecord(baseOf(e164), p, code)];
    }),
  );
  const answer = (byNumber: (p: Phone) => MessageRecord): SendResponse => ({
    requestId,
    messages: [...phones.map((p) => resultOf(byNumber(p))), ...invalid],
  });
  const provisional = answer(
    (p) => screenedRecords.get(p.e164) ?? (inFlight.get(p.e164) as MessageRecord),
  );
  const idemItem = (response: SendResponse, state: "pending" | "done") =>
    idempotency
      ? [
          deps.store.idempotencyResult(
            app.appId,
            idempotency.key,
            idempotency.fingerprint,
            JSON.stringify(response),
            plan.at,
            new Date(deps.clock.now()).toISOString(),
            state,
            state === "pending" ? now + IN_PROGRESS_MS : undefined,
          ),
        ]
      : [];

  let held: Held;
  try {
    [held] = await Promise.all([
      reserve(deps, plan, candidates),
      candidates.length
        ? deps.store.putMessages([...inFlight.values()], idemItem(provisional, "pending"))
        : undefined,
    ]);
  } catch (err) {
    // The store failed before anything was sent: free the key for a retry.
    if (idempotency) await deps.store.releaseIdempotency(app.appId, idempotency.key);
    throw err;
  }

  let outcomes: Map<string, { outcome: NumberOutcome; provider: ProviderName; binding: string }>;
  try {
    outcomes = await handToVendor(
      deps,
      routes,
      plan,
      { shared: opts.params, byNumber: opts.paramsByNumber },
      held,
      requestId,
      opts.origin,
    );
  } catch (err) {
    // Only a bug gets here (adapters answer every fault per number): nothing was sent.
    await Promise.all([
      settle(deps, plan, held, new Map(), []),
      idempotency ? deps.store.releaseIdempotency(app.appId, idempotency.key) : undefined,
    ]);
    throw err;
  }

  const deletes: Key[] = [];
  const records: MessageRecord[] = phones.map((p) => {
    const screenedRecord = screenedRecords.get(p.e164);
    if (screenedRecord) return screenedRecord;
    const placeholder = inFlight.get(p.e164) as MessageRecord;
    const code = held.refused.get(p.e164);
    const sent = outcomes.get(p.e164);
    const reuse = { ...baseOf(p.e164), newId: () => placeholder.id };
    const final =
      code || !sent
        ? rejectedRecord(reuse, p, code ?? "InternalError")
        : vendorRecord(
            { ...reuse, provider: sent.provider, binding: sent.binding },
            p,
            sent.outcome,
          );
    deletes.push(...supersededKeys(placeholder, final));
    // Sharded day counters: its delivery report is counted on the shard the send was.
    return shardsOn(app.usageShards, plan.day) > 1 ? { ...final, shard: held.stats.shard } : final;
  });
  const response = answer((p) => records.find((r) => r.to === p.e164) as MessageRecord);
  const fates = new Map<string, Fate>(
    [...outcomes].map(([e164, { outcome }]) => [
      e164,
      outcome.status === "accepted"
        ? { status: "accepted", segments: outcome.segments }
        : { status: outcome.status },
    ]),
  );

  // Subscribed send-time statuses are queued with the records, in the same BatchWriteItem
  // (lib/store/outbox.ts), and the webhook worker is woken once they are stored.
  const events = statusEvents(
    app,
    records.flatMap((r) =>
      r.status === "submitted" || r.status === "failed"
        ? [{ record: r, status: r.status, code: r.code, at: r.submittedAt ?? r.createdAt }]
        : [],
    ),
  );
  await Promise.all([
    deps.store.putMessages(
      records,
      [
        ...idemItem(response, "done"),
        ...deps.store.outboxItems(events, new Date(deps.clock.now()).toISOString()),
      ],
      deletes,
    ),
    settle(deps, plan, held, fates, records),
  ]);
  await wakeOutbox(deps, events.map(outboxPartition));
  // One line per request at info (the wrapper's); each number's outcome at debug, since the
  // record holds it anyway (docs/performance.md, levers: log work per send).
  for (const r of records)
    deps.log.debug("message", { requestId, id: r.id, to: r.to, status: r.status, code: r.code });
  return response;
}

/**
 * One vendor call per maxBatch numbers; numbers nobody holds a reservation for are not sent.
 * Numbers with params of their own go in one call to a provider that takes params per number
 * (Huawei's batchSendDiffSms); any other provider gets one call per set of params.
 */
async function handToVendor(
  deps: Deps,
  routes: Route[],
  plan: SendPlan,
  params: { shared: string[]; byNumber?: Map<string, string[]> },
  held: Held,
  requestId: string,
  origin: string,
): Promise<Map<string, { outcome: NumberOutcome; provider: ProviderName; binding: string }>> {
  const results = new Map<
    string,
    { outcome: NumberOutcome; provider: ProviderName; binding: string }
  >();
  const paramsOf = (e164: string) => params.byNumber?.get(e164) ?? params.shared;
  let pending = held.held.map((p) => p.e164);
  for (const [i, route] of routes.entries()) {
    const { provider } = route;
    const next: string[] = [];
    // The calls to this provider: its batches of ≤ maxBatch numbers, each of one set of
    // params unless the provider takes them per number.
    const groups = new Map<string, string[]>();
    for (const e164 of pending) {
      const k = provider.perNumberParams ? "" : JSON.stringify(paramsOf(e164));
      const g = groups.get(k);
      if (g) g.push(e164);
      else groups.set(k, [e164]);
    }
    for (const group of groups.values())
      for (let b = 0; b < group.length; b += provider.maxBatch) {
        const numbers = group.slice(b, b + provider.maxBatch);
        const own = provider.perNumberParams && params.byNumber ? params.byNumber : undefined;
        const outcomes = await provider.send({
          binding: route.binding,
          numbers,
          providerTemplateId: route.providerTemplateId,
          region: plan.template.region,
          params: provider.perNumberParams ? params.shared : paramsOf(numbers[0] as string),
          ...(own ? { paramsByNumber: new Map(numbers.map((n) => [n, paramsOf(n)])) } : {}),
          sign: plan.sign,
          reference: requestId,
          statusCallbackUrl: callbackUrls(
            deps.config,
            origin,
            plan.app.appId,
            plan.app.callbackTokens?.current ?? 0,
          )[provider.name].status,
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
