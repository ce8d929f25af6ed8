/**
 * The campaign engine (docs/architecture.md "Campaigns"): a queue message names one chunk of
 * one campaign; the worker sends it through the send pipeline and hands the lane on to the
 * chunk `lanes` further. Each chunk's sub-sends carry an Idempotency-Key of their own
 * (campaign + chunk + sub-send), so a chunk re-run after a worker died replays what was sent
 * and sends only what was not: no number twice. Progress is counters on the campaign item.
 */
import type { Deps } from "../core/deps";
import { AppError, type ErrorCode } from "../core/errors";
import { ulid } from "../core/ids";
import type { App, Campaign } from "../core/model";
import { inWindow, minuteOfDay } from "../core/time";
import { sendMessages } from "../send/pipeline";
import type { Chunk, CountAdds, Row, RowResult } from "../store";
import type { ChunkMessage, Queue } from "./queue";

/** Tencent's SendSms takes at most 200 numbers, all with the same TemplateParamSet. */
export const MAX_PER_CALL = 200;
/** Sub-sends of one chunk in flight at once (docs/performance.md "Campaigns"). */
const PARALLEL_SENDS = 8;
/** A sub-send found half-done this many deliveries in a row is given up as unknown. */
const INTERRUPTED_AFTER = 3;

export interface EngineDeps extends Deps {
  queue: Queue;
}

/**
 * Rows grouped by their params, in order, split into calls of ≤ 200 numbers; or, for a
 * provider whose one call takes params per number (`perNumber`), the rows in calls of ≤ 200
 * whatever their params.
 */
export function subSends(rows: Row[], perNumber = false): { params: string[]; rows: Row[] }[] {
  if (perNumber) {
    const out: { params: string[]; rows: Row[] }[] = [];
    for (let i = 0; i < rows.length; i += MAX_PER_CALL) {
      const part = rows.slice(i, i + MAX_PER_CALL);
      out.push({ params: (part[0] as Row).slice(2) as string[], rows: part });
    }
    return out;
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(r.slice(2));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: { params: string[]; rows: Row[] }[] = [];
  for (const g of groups.values())
    for (let i = 0; i < g.length; i += MAX_PER_CALL)
      out.push({ params: (g[0] as Row).slice(2) as string[], rows: g.slice(i, i + MAX_PER_CALL) });
  return out;
}

/**
 * THE one place a campaign hands numbers to the send pipeline, as POST /v1/messages would be
 * called, every policy rule applying: one call per set of identical params, or — for a
 * provider that takes params per number — one call for rows with their own (`own`).
 */
async function sendOne(
  deps: Deps,
  campaign: Campaign,
  params: string[],
  phones: string[],
  idempotencyKey: string,
  own?: Map<string, string[]>,
) {
  return sendMessages(deps, {
    ...(own ? { paramsByNumber: own } : {}),
    campaign: campaign.id,
    key: "",
    asApp: campaign.appId,
    body: {
      to: phones,
      template: campaign.template,
      params,
      sign: campaign.sign,
      context: `campaign:${campaign.id}`,
      dryRun: false,
    },
    requestId: ulid(deps.clock.now()),
    idempotencyKey,
    origin: deps.config.SMSGATE_PUBLIC_URL ?? "http://localhost",
  });
}

async function pool<T>(items: T[], size: number, fn: (t: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** Sends one chunk; every row gets a result. Throws (to be retried) only on a fault. */
export async function sendChunk(
  deps: Deps,
  campaign: Campaign,
  chunk: Chunk,
  receiveCount: number,
  app?: App,
): Promise<RowResult[]> {
  // Keyed by number: a chunk holds each number once (uploads refuse duplicates).
  const results = new Map<string, RowResult>();
  // The app's first provider decides: Huawei's batchSendDiffSms takes a content per number,
  // so a chunk of rows with their own variables is one call there (failover splits again).
  const first = app?.providers[0]?.provider;
  const perNumber = Boolean(first && deps.providers.get(first)?.perNumberParams);
  const calls = subSends(chunk.rows, perNumber);
  await pool(calls, PARALLEL_SENDS, async (call, k) => {
    const phones = call.rows.map((r) => r[1]);
    const fill = (status: string, code: ErrorCode) => {
      for (const r of call.rows) results.set(r[1], [status, code, null]);
    };
    try {
      const own = perNumber
        ? new Map(call.rows.map((r) => [r[1], r.slice(2) as string[]]))
        : undefined;
      const res = await sendOne(
        deps,
        campaign,
        call.params,
        phones,
        `cmp:${campaign.id}:${chunk.index}:${k}`,
        own,
      );
      const byPhone = new Map(res.messages.map((m) => [m.to, m]));
      for (const r of call.rows) {
        const m = byPhone.get(r[1]);
        results.set(
          r[1],
          m ? [m.status, m.code, m.id ?? null] : ["rejected", "InternalError", null],
        );
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "FailedOperation.IdempotencyInProgress") {
        // A worker died inside this very call: it may have reached the vendor. After a few
        // deliveries the rows are given up as unknown, never sent again.
        if (receiveCount < INTERRUPTED_AFTER) throw err;
        fill("unknown", "InternalError.CampaignSendInterrupted");
        return;
      }
      // A request-level refusal (app disabled, template or signature gone…): every row of
      // this call gets it, as POST /v1/messages would answer it.
      fill("rejected", err.code);
    }
  });
  return chunk.rows.map((r) => results.get(r[1]) as RowResult);
}

export function countsOf(results: RowResult[]): CountAdds {
  const adds: Record<string, number> = {};
  for (const [status] of results) adds[status] = (adds[status] ?? 0) + 1;
  return adds as CountAdds;
}

/** Seconds until the marketing window opens (at least 1). */
function secondsUntilWindow(now: number, timeZone: string, window: { start: string }): number {
  const [h, m] = window.start.split(":").map(Number);
  const start = (h ?? 0) * 60 + (m ?? 0);
  const minute = minuteOfDay(now, timeZone);
  const wait = (start - minute + 1440) % 1440;
  return Math.max(1, wait * 60);
}

type Outcome = "sent" | "parked" | "waiting" | "dropped" | "completed";

/** One queue message: the chunk it names, then the lane handed on. */
export async function workChunk(
  deps: EngineDeps,
  msg: ChunkMessage,
  receiveCount: number,
): Promise<Outcome> {
  const { app: appId, campaign: id, chunk: index } = msg;
  let campaign = await deps.store.getCampaign(appId, id);
  if (!campaign) return "dropped";
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const recheck = deps.config.SMSGATE_CAMPAIGN_RECHECK_SECONDS;
  const later = (seconds: number) =>
    deps.queue.send([{ body: msg, delaySeconds: Math.min(recheck, seconds) }]);

  if (["draft", "completed", "cancelled"].includes(campaign.status)) return "dropped";
  if (campaign.status === "paused" && campaign.pauseReason !== "marketingWindow") {
    if (await deps.store.parkLane(appId, id, index)) return "parked";
    // Resumed between the read and the park: go on.
    campaign = (await deps.store.getCampaign(appId, id)) as Campaign;
  }
  if (campaign.status === "scheduled") {
    const due = Date.parse(campaign.sendAt ?? at);
    if (due > now) {
      await later(Math.ceil((due - now) / 1000));
      return "waiting";
    }
    campaign = await deps.store
      .setCampaignStatus(appId, id, ["scheduled"], "running", { startedAt: at, updatedAt: at })
      .catch(async (err) => {
        if (err instanceof AppError && err.code === "FailedOperation.CampaignState")
          return (await deps.store.getCampaign(appId, id)) as Campaign;
        throw err;
      });
    if (campaign.status !== "running") return workChunk(deps, msg, receiveCount);
  }
  if (index >= campaign.chunks) return "dropped";

  const [app, template] = await Promise.all([
    deps.store.getApp(appId),
    deps.store.getTemplate(appId, campaign.template),
  ]);
  if (app && template?.kind === "marketing") {
    const open = inWindow(now, app.timeZone, app.marketingWindow);
    if (!open) {
      // A marketing campaign waits for its window rather than have every row refused.
      await deps.store
        .setCampaignStatus(
          appId,
          id,
          ["running"],
          "paused",
          { pauseReason: "marketingWindow", updatedAt: at },
          [],
        )
        .catch(ignoreState);
      await later(secondsUntilWindow(now, app.timeZone, app.marketingWindow));
      return "waiting";
    }
    if (campaign.status === "paused" && campaign.pauseReason === "marketingWindow")
      await deps.store
        .setCampaignStatus(appId, id, ["paused"], "running", { updatedAt: at }, ["pauseReason"], {
          condition: "pauseReason = :mw",
          values: { ":mw": "marketingWindow" },
        })
        .catch(ignoreState);
  }
  return sendAndHandOn(deps, campaign, app, index, receiveCount, at);
}

const ignoreState = (err: unknown) => {
  if (!(err instanceof AppError && err.code === "FailedOperation.CampaignState")) throw err;
  return undefined;
};

async function sendAndHandOn(
  deps: EngineDeps,
  campaign: Campaign,
  app: App | undefined,
  index: number,
  receiveCount: number,
  at: string,
): Promise<Outcome> {
  const { appId, id } = campaign;
  const chunk = await deps.store.getChunk(appId, id, index);
  if (!chunk) return "dropped";
  const results = chunk.results ?? (await sendChunk(deps, campaign, chunk, receiveCount, app));
  if (!chunk.results) await deps.store.putChunkResults(appId, id, index, results, at);
  const counted = await deps.store.countChunk(appId, id, index, countsOf(results), at);
  let outcome: Outcome = "sent";
  if (counted && counted.chunksDone >= counted.chunks) {
    await deps.store
      .setCampaignStatus(appId, id, ["running", "paused"], "completed", {
        completedAt: at,
        updatedAt: at,
      })
      .catch(ignoreState);
    outcome = "completed";
  }
  // Hand the lane on, unless this delivery is a duplicate of a message already worked
  // (counted elsewhere, first delivery): that one handed it on already.
  const lanes = campaign.lanes ?? 1;
  const next = index + lanes;
  if (next < campaign.chunks && (counted || receiveCount > 1))
    await deps.queue.send([{ body: { app: appId, campaign: id, chunk: next } }]);
  return outcome;
}
