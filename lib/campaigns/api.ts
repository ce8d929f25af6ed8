/**
 * Campaigns and customer groups (docs/api.md "Campaigns and customer groups"): create,
 * upload recipients in ≤ 5 MB calls, start now or at `sendAt`, pause, resume, cancel, read
 * progress and per-row results; groups of numbers to send campaigns to.
 */
import type { Deps } from "../core/deps";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { App, Campaign, Group, Template } from "../core/model";
import { PER_NUMBER_PARAMS } from "../providers/port";
import { cheapestSegment, onExhausted, shownBalance } from "../rules/package";
import { checkParams, isValidSign } from "../rules/template";
import { campaignRecipientCeiling } from "../rules/usage";
import type { Chunk, Row, RowResult } from "../store";
import type { Item } from "../store/db";
import { MAX_PER_CALL } from "./engine";
import { type Queue, queueFor } from "./queue";
import { checkRow, isHeader, phoneOfCell, readRows } from "./rows";

/** Rows held before they are packed into chunks: bounds an upload's memory. */
const PACK_AT = 2000;
/** Vendor calls one chunk makes at most (one per set of params). */
const CALLS_PER_CHUNK = 20;
/** Chunk items written per batch of writes in flight. */
const WRITE_BATCH = 25;
/** An upload holds the campaign this long at most (a Lambda ends long before). */
const LEASE_MS = 5 * 60_000;
/** At most this many rejected rows are listed in an answer (all are counted). */
const MAX_LISTED_REJECTIONS = 1000;

export interface CampaignBody {
  name: string;
  template: string;
  sign?: string;
  sendAt?: string;
  group?: string;
  params?: string[];
}

async function appAndTemplate(deps: Deps, appId: string, templateId: string) {
  const [app, template] = await Promise.all([
    deps.store.getApp(appId),
    deps.store.getTemplate(appId, templateId),
  ]);
  if (!app) throw new AppError("ResourceNotFound");
  if (!template)
    throw new AppError(
      "FailedOperation.TemplateUnapprovedOrNotExist",
      `Template "${templateId}" does not exist for this app.`,
    );
  return { app, template };
}

function signOf(app: App, template: Template, sign: string | undefined): string | undefined {
  const s = sign ?? app.defaultSign;
  if (template.region === "domestic" && !s) throw new AppError("MissingParameter.SignName");
  if (s && (!isValidSign(s) || !app.signatures.includes(s)))
    throw new AppError(
      "FailedOperation.SignatureIncorrectOrUnapproved",
      `Signature "${s}" is not approved for this app; approved: ${app.signatures.join(", ") || "none"}.`,
    );
  return s;
}

async function mustGet(deps: Deps, appId: string, id: string): Promise<Campaign> {
  const c = await deps.store.getCampaign(appId, id);
  if (!c) throw new AppError("ResourceNotFound", `No campaign ${id}.`);
  return c;
}

/**
 * Packs accepted rows into chunks of ≤ 200, rows with the same params side by side, and at
 * most `callsPerChunk` sets of params per chunk (one vendor call each). For a provider whose
 * one call takes params per number, a chunk is one call whatever its params: no such bound.
 */
class Packer {
  private groups = new Map<string, Row[]>();
  private held = 0;
  readonly ready: Row[][] = [];
  constructor(
    private readonly size: number,
    private readonly callsPerChunk = CALLS_PER_CHUNK,
  ) {}

  add(row: Row) {
    const k = JSON.stringify(row.slice(2));
    const g = this.groups.get(k) ?? [];
    g.push(row);
    this.groups.set(k, g);
    this.held++;
    if (g.length === this.size) {
      this.ready.push(g);
      this.groups.delete(k);
      this.held -= g.length;
    } else if (this.held >= PACK_AT) this.flush();
  }

  flush() {
    let current: Row[] = [];
    let calls = 0;
    for (const g of this.groups.values()) {
      // A chunk makes at most CALLS_PER_CHUNK vendor calls, so rows with their own params
      // come in chunks small enough for progress to move and a retry to be cheap.
      if (calls === this.callsPerChunk) {
        this.ready.push(current);
        current = [];
        calls = 0;
      }
      calls++;
      for (const r of g) {
        current.push(r);
        if (current.length === this.size) {
          this.ready.push(current);
          current = [];
          calls = 1;
        }
      }
    }
    if (current.length) this.ready.push(current);
    this.groups.clear();
    this.held = 0;
  }
}

export interface UploadAnswer {
  accepted: number;
  rejected: { row: number; code: string; message: string }[];
  rejectedCount: number;
  total: number;
  estimate: { segments: number };
}

/**
 * Adds rows to a draft campaign under its upload lease, in two passes over the upload. The
 * first checks every row and counts what would be accepted, writing nothing; one conditional
 * update then holds only if the campaign's total plus those rows stays within the app's
 * ceiling (`ceilings.campaignRecipients`), so a refused append stores nothing at all. The
 * second pass writes the accepted rows as chunks at indices past the campaign's `chunks`,
 * counted only by the final commit (conditional on the ceiling again): a failed upload leaves
 * the campaign exactly as it was.
 */
async function appendRows(
  deps: Deps,
  campaign: Campaign,
  rows: () => AsyncIterable<{ row?: number; cells: string[] }>,
  lease: string,
): Promise<UploadAnswer> {
  const { appId, id } = campaign;
  const { app, template } = await appAndTemplate(deps, appId, campaign.template);
  const sign = signOf(app, template, campaign.sign);
  const max = campaignRecipientCeiling(app.ceilings);
  const seen = new Set<string>();
  // Numbers of earlier uploads: read from the campaign's own chunks (not a table scan).
  let startKey: Item | undefined;
  if (campaign.chunks > 0)
    do {
      const page = await deps.store.listChunks(appId, id, 100, startKey);
      for (const c of page.chunks)
        if (c.index < campaign.chunks) for (const r of c.rows) seen.add(r[1]);
      startKey = page.lastKey;
    } while (startKey);

  const refuse = (row: number | undefined, adding: number) =>
    new AppError(
      "LimitExceeded.CampaignRecipientLimit",
      `A campaign of this app holds at most ${max.toLocaleString("en")} recipients; it holds ${campaign.total.toLocaleString("en")} and this upload would add ${adding.toLocaleString("en")}${row ? ` (passing the limit at row ${row})` : ""}. Nothing of it was added; split the list into several campaigns, or ask the operator to raise the app's ceilings.campaignRecipients (at most 1,000,000).`,
    );

  // Pass 1: verdicts only. `ok[i]` marks the i-th row of the upload as accepted.
  const ok: boolean[] = [];
  const rejected: UploadAnswer["rejected"] = [];
  let rejectedCount = 0;
  let accepted = 0;
  let fileRow = 0;
  for await (const r of rows()) {
    fileRow = r.row ?? fileRow + 1;
    const verdict = checkRow(r.cells, template, sign, campaign.params);
    let refusal: { code: string; message: string } | undefined;
    if (!verdict.ok) refusal = { code: verdict.code, message: verdict.message };
    else if (seen.has(verdict.phone.e164))
      refusal = {
        code: "InvalidParameterValue.DuplicatePhoneNumber",
        message: `${verdict.phone.e164} is already in this campaign; it is sent once.`,
      };
    ok.push(!refusal);
    if (refusal) {
      rejectedCount++;
      if (rejected.length < MAX_LISTED_REJECTIONS) rejected.push({ row: fileRow, ...refusal });
      continue;
    }
    if (!verdict.ok) continue;
    // Nothing is written yet: refusing here stores nothing.
    if (campaign.total + accepted + 1 > max) throw refuse(fileRow, accepted + 1);
    seen.add(verdict.phone.e164);
    accepted++;
  }
  seen.clear();

  const at = new Date(deps.clock.now()).toISOString();
  if (!(await deps.store.reserveRows(appId, id, lease, accepted, max))) {
    // dynalite ignores ReturnValuesOnConditionCheckFailure: read which condition failed.
    const now = await mustGet(deps, appId, id);
    if (now.total + accepted > max) throw refuse(undefined, accepted);
    throw new AppError(
      "FailedOperation.CampaignState",
      "The upload's lease expired before it finished; upload the file again.",
    );
  }

  // Pass 2: the accepted rows, packed and written as they come.
  const first = app.providers[0]?.provider;
  const packer = new Packer(
    Math.min(MAX_PER_CALL, deps.config.SMSGATE_CAMPAIGN_CHUNK_ROWS),
    first && PER_NUMBER_PARAMS.has(first) ? Number.POSITIVE_INFINITY : CALLS_PER_CHUNK,
  );
  let segments = 0;
  let written = 0;
  let stored = 0;
  const writes: Promise<void>[] = [];
  const drain = async (all: boolean) => {
    while (packer.ready.length >= (all ? 1 : WRITE_BATCH)) {
      const part = packer.ready.splice(0, WRITE_BATCH);
      const chunks: Chunk[] = part.map((r, i) => ({
        index: campaign.chunks + written + i,
        rows: r,
      }));
      written += part.length;
      writes.push(deps.store.putChunks(appId, id, chunks));
      if (writes.length >= 4) await writes.shift();
    }
  };
  try {
    let i = 0;
    for await (const r of rows()) {
      if (!ok[i++]) continue;
      const verdict = checkRow(r.cells, template, sign, campaign.params);
      if (!verdict.ok) continue; // the same row, the same verdict as in pass 1
      stored++;
      segments += verdict.segments;
      // Stored rows are numbered across uploads (1…total): the results' `row`.
      packer.add([campaign.total + stored, verdict.phone.e164, ...verdict.params]);
      await drain(false);
    }
    packer.flush();
    await drain(true);
    await Promise.all(writes);
  } catch (err) {
    // Failed: let the writes in flight end before the lease is given back.
    await Promise.allSettled(writes);
    throw err;
  }
  const after = await deps.store.commitUpload(
    appId,
    id,
    lease,
    { chunks: written, rows: stored, segments },
    at,
    max,
  );
  return {
    accepted: stored,
    rejected,
    rejectedCount,
    total: after.total,
    estimate: after.estimate,
  };
}

async function withLease<T>(
  deps: Deps,
  appId: string,
  id: string,
  work: (c: Campaign, lease: string) => Promise<T>,
): Promise<T> {
  const now = deps.clock.now();
  const lease = ulid(now);
  const campaign = await deps.store.leaseUpload(
    appId,
    id,
    lease,
    new Date(now).toISOString(),
    new Date(now + LEASE_MS).toISOString(),
  );
  try {
    return await work(campaign, lease);
  } catch (err) {
    await deps.store.releaseUpload(appId, id, lease);
    throw err;
  }
}

export async function createCampaign(
  deps: Deps,
  appId: string,
  body: CampaignBody,
): Promise<Campaign> {
  const { app, template } = await appAndTemplate(deps, appId, body.template);
  const sign = signOf(app, template, body.sign);
  if (body.params) {
    const broken = checkParams(template.kind, template.variables, body.params);
    if (broken) throw new AppError(broken.code, `params: ${broken.message}`);
  }
  let group: Group | undefined;
  if (body.group) {
    group = await deps.store.getGroup(appId, body.group);
    if (!group) throw new AppError("ResourceNotFound", `No group ${body.group}.`);
    if (template.variables > 0 && !body.params)
      throw new AppError(
        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
        `A campaign to a group sends the same params to every member; give "params" (${template.variables}).`,
      );
  }
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const campaign: Campaign = {
    appId,
    id: ulid(now),
    name: body.name,
    template: template.id,
    sign,
    params: body.params,
    group: body.group,
    status: "draft",
    total: 0,
    chunks: 0,
    chunksDone: 0,
    estimate: { segments: 0 },
    counts: {
      pending: 0,
      submitted: 0,
      rejected: 0,
      failed: 0,
      unknown: 0,
      delivered: 0,
      undelivered: 0,
    },
    sendAt: body.sendAt,
    createdAt: at,
    updatedAt: at,
  };
  await deps.store.createCampaign(campaign);
  if (!group) return campaign;
  // The group's members become the campaign's rows now: later changes to the group do not
  // change a campaign already made.
  const members = async function* () {
    let startKey: Item | undefined;
    do {
      const page = await deps.store.listMembers(appId, group.id, 1000, startKey);
      for (const p of page.phones) yield { cells: [p] };
      startKey = page.lastKey;
    } while (startKey);
  };
  await withLease(deps, appId, campaign.id, (c, lease) => appendRows(deps, c, members, lease));
  return mustGet(deps, appId, campaign.id);
}

/** POST /v1/campaigns/{id}/recipients: a CSV or XLSX body. */
export async function uploadRecipients(
  deps: Deps,
  appId: string,
  id: string,
  body: Buffer,
  contentType: string,
): Promise<UploadAnswer> {
  if (body.length === 0)
    throw new AppError(
      "InvalidParameterValue.RecipientFile",
      "The body is empty; send the CSV or XLSX file as the body.",
    );
  return withLease(deps, appId, id, async (c, lease) => {
    const noHeader = async function* () {
      for await (const r of readRows(body, contentType)) if (!isHeader(r)) yield r;
    };
    return appendRows(deps, c, noHeader, lease);
  });
}

/** GET /v1/campaigns/{id}: with `maxRecipients`, the app's ceiling (what an upload may fill). */
export async function getCampaign(deps: Deps, appId: string, id: string) {
  const [c, app] = await Promise.all([mustGet(deps, appId, id), deps.store.getApp(appId)]);
  return { ...publicCampaign(c), maxRecipients: campaignRecipientCeiling(app?.ceilings) };
}

export function publicCampaign(c: Campaign) {
  const { appId: _a, lanes: _l, ...rest } = c;
  return rest;
}

export async function startCampaign(
  deps: Deps,
  appId: string,
  id: string,
  body: { sendAt?: string },
  queue: Queue = queueFor(deps.config),
) {
  const c = await mustGet(deps, appId, id);
  if (c.status !== "draft")
    throw new AppError(
      "FailedOperation.CampaignState",
      `Only a draft can be started; the campaign is ${c.status}.`,
    );
  if (c.total === 0)
    throw new AppError(
      "FailedOperation.CampaignState",
      "The campaign has no recipients; upload them first (POST …/recipients).",
    );
  const { app, template } = await appAndTemplate(deps, appId, c.template);
  const region = template.region;
  // A "stop" package must cover the estimate: segments at home; abroad the segments at the
  // lowest price the package has (a floor — each row is still charged its country's price
  // and refused when the balance runs out). A "continue" package sends on past its end.
  if (app.package?.[region] !== undefined && onExhausted(app.package, region) === "stop") {
    const balance = (await deps.store.readPackage(appId))?.[region] ?? 0;
    const need = c.estimate.segments * cheapestSegment(app.package, region);
    if (balance < need)
      throw new AppError(
        "FailedOperation.InsufficientBalanceInSmsPackage",
        `The campaign needs ${shownBalance(region, need)}${region === "domestic" ? " segments" : " at least"}; the ${region} balance is ${shownBalance(region, balance)}. Top it up or remove recipients.`,
        { status: 409 },
      );
  }
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const sendAt = body.sendAt ?? c.sendAt;
  const later = sendAt !== undefined && Date.parse(sendAt) > now;
  const lanes = Math.min(c.chunks, deps.config.SMSGATE_CAMPAIGN_LANES);
  const started = await deps.store.setCampaignStatus(
    appId,
    id,
    ["draft"],
    later ? "scheduled" : "running",
    {
      updatedAt: at,
      lanes,
      ...(later ? { sendAt: sendAt as string } : { startedAt: at }),
    },
    [],
    // Not while an upload runs; a lease left by an upload that died has expired.
    { condition: "(attribute_not_exists(lease) OR leaseUntil < :now)", values: { ":now": at } },
  );
  const delaySeconds = later ? Math.ceil((Date.parse(sendAt as string) - now) / 1000) : 0;
  try {
    await queue.send(
      Array.from({ length: lanes }, (_, chunk) => ({
        body: { app: appId, campaign: id, chunk },
        delaySeconds: Math.min(delaySeconds, deps.config.SMSGATE_CAMPAIGN_RECHECK_SECONDS),
      })),
    );
  } catch (err) {
    // Nothing was enqueued: the campaign goes back to draft so a retry can start it.
    await deps.store.setCampaignStatus(appId, id, [started.status], "draft", { updatedAt: at });
    throw err;
  }
  return publicCampaign(started);
}

export async function pauseCampaign(deps: Deps, appId: string, id: string) {
  const at = new Date(deps.clock.now()).toISOString();
  return publicCampaign(
    await deps.store.setCampaignStatus(appId, id, ["running", "scheduled", "paused"], "paused", {
      pauseReason: "user",
      updatedAt: at,
    }),
  );
}

export async function resumeCampaign(
  deps: Deps,
  appId: string,
  id: string,
  queue: Queue = queueFor(deps.config),
) {
  const c = await mustGet(deps, appId, id);
  if (c.status !== "paused" || c.pauseReason !== "user")
    throw new AppError(
      "FailedOperation.CampaignState",
      c.status === "paused"
        ? "The campaign is waiting for the marketing window; it resumes by itself."
        : `Only a paused campaign can be resumed; the campaign is ${c.status}.`,
    );
  const { campaign, parked } = await deps.store.resumeCampaign(
    appId,
    id,
    new Date(deps.clock.now()).toISOString(),
  );
  // A scheduled campaign paused before its time waits for it again: the lanes check sendAt.
  await queue.send(parked.map((chunk) => ({ body: { app: appId, campaign: id, chunk } })));
  return publicCampaign(campaign);
}

export async function cancelCampaign(deps: Deps, appId: string, id: string) {
  const at = new Date(deps.clock.now()).toISOString();
  return publicCampaign(
    await deps.store.setCampaignStatus(
      appId,
      id,
      ["draft", "scheduled", "running", "paused"],
      "cancelled",
      { cancelledAt: at, updatedAt: at },
    ),
  );
}

export async function listCampaigns(deps: Deps, appId: string, limit: number, startKey?: Item) {
  const page = await deps.store.listCampaigns(appId, limit, startKey);
  return { campaigns: page.campaigns.map(publicCampaign), lastKey: page.lastKey };
}

export interface RecipientResult {
  row: number;
  to: string;
  params: string[];
  status: string;
  code?: string;
  messageId?: string;
}

/** Per-row results, a page of chunks at a time; rows not sent yet are `pending`. */
export async function campaignResults(
  deps: Deps,
  appId: string,
  id: string,
  opts: { status?: string; limit: number; startKey?: Item },
): Promise<{ recipients: RecipientResult[]; lastKey?: Item }> {
  const c = await mustGet(deps, appId, id);
  const out: RecipientResult[] = [];
  let startKey = opts.startKey;
  // Each chunk holds ≤ 200 rows; a page reads chunks until it has `limit` rows to show.
  do {
    const page = await deps.store.listChunks(
      appId,
      id,
      Math.max(1, Math.ceil(opts.limit / MAX_PER_CALL)),
      startKey,
    );
    for (const chunk of page.chunks) {
      if (chunk.index >= c.chunks) continue;
      for (const [i, r] of chunk.rows.entries()) {
        const res: RowResult | undefined = chunk.results?.[i];
        const status = res?.[0] ?? "pending";
        if (opts.status && opts.status !== status) continue;
        out.push({
          row: r[0],
          to: r[1],
          params: r.slice(2) as string[],
          status,
          ...(res ? { code: res[1] } : {}),
          ...(res?.[2] ? { messageId: res[2] } : {}),
        });
      }
    }
    startKey = page.lastKey;
  } while (startKey && out.length < opts.limit);
  return { recipients: out, lastKey: startKey };
}

// --- groups ---

export async function createGroup(deps: Deps, appId: string, name: string): Promise<Group> {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const g: Group = { appId, id: ulid(now), name, members: 0, createdAt: at, updatedAt: at };
  await deps.store.createGroup(g);
  return g;
}

async function mustGroup(deps: Deps, appId: string, id: string): Promise<Group> {
  const g = await deps.store.getGroup(appId, id);
  if (!g) throw new AppError("ResourceNotFound", `No group ${id}.`);
  return g;
}

/** Members from a file or a JSON list; bad numbers and duplicates are listed by row. */
export async function importMembers(
  deps: Deps,
  appId: string,
  id: string,
  input: { file?: { body: Buffer; contentType: string }; phones?: string[] },
) {
  await mustGroup(deps, appId, id);
  const at = new Date(deps.clock.now()).toISOString();
  const rejected: { row: number; code: string; message: string }[] = [];
  let rejectedCount = 0;
  const batch: { row: number; e164: string }[] = [];
  const seen = new Set<string>();
  let accepted = 0;
  const flush = async () => {
    const part = batch.splice(0);
    const existing = new Set(
      await deps.store.addMembers(
        appId,
        id,
        part.map((p) => p.e164),
        at,
      ),
    );
    for (const p of part) {
      if (existing.has(p.e164)) {
        rejectedCount++;
        if (rejected.length < MAX_LISTED_REJECTIONS)
          rejected.push({
            row: p.row,
            code: "InvalidParameterValue.DuplicatePhoneNumber",
            message: `${p.e164} is already a member.`,
          });
      } else accepted++;
    }
  };
  const take = async (row: number, cell: string) => {
    const phone = phoneOfCell(cell);
    const refusal = !phone
      ? {
          code: "InvalidParameterValue.IncorrectPhoneNumber",
          message: `"${cell}" is not a valid number; use E.164 (+8613800138000) or an 11-digit mainland number.`,
        }
      : seen.has(phone.e164)
        ? {
            code: "InvalidParameterValue.DuplicatePhoneNumber",
            message: `${phone.e164} appears twice in this upload.`,
          }
        : undefined;
    if (refusal || !phone) {
      rejectedCount++;
      if (rejected.length < MAX_LISTED_REJECTIONS)
        rejected.push({ row, ...(refusal as { code: string; message: string }) });
      return;
    }
    seen.add(phone.e164);
    batch.push({ row, e164: phone.e164 });
    if (batch.length >= 1000) await flush();
  };
  if (input.file) {
    for await (const r of readRows(input.file.body, input.file.contentType))
      if (!isHeader(r)) await take(r.row, r.cells[0] ?? "");
  } else {
    const phones = input.phones ?? [];
    if (phones.length > 100) throw new AppError("LimitExceeded.GroupMemberLimit");
    for (const [i, p] of phones.entries()) await take(i + 1, p);
  }
  await flush();
  const g = await mustGroup(deps, appId, id);
  return { accepted, rejected, rejectedCount, members: g.members };
}

export const listGroups = (deps: Deps, appId: string) => deps.store.listGroups(appId);
export const getGroup = mustGroup;

export async function listMembers(
  deps: Deps,
  appId: string,
  id: string,
  limit: number,
  startKey?: Item,
) {
  await mustGroup(deps, appId, id);
  return deps.store.listMembers(appId, id, limit, startKey);
}

export async function removeMember(deps: Deps, appId: string, id: string, raw: string) {
  await mustGroup(deps, appId, id);
  const phone = phoneOfCell(raw);
  if (!phone) throw new AppError("InvalidParameterValue.IncorrectPhoneNumber");
  await deps.store.removeMember(appId, id, phone.e164, new Date(deps.clock.now()).toISOString());
}

export async function deleteGroup(deps: Deps, appId: string, id: string) {
  await mustGroup(deps, appId, id);
  await deps.store.deleteGroup(appId, id);
}
