/**
 * Campaigns (docs/access-patterns.md, "campaigns"): the campaign item in its app's partition
 * holds the state and the counters; its rows live in chunk items of ≤ 200 rows in the
 * campaign's own partition. Progress is read from the counters, never by reading rows.
 * Every state change is one conditional UpdateItem on the campaign item.
 */
import { AppError } from "../core/errors";
import type { Campaign, CampaignCounts, CampaignStatus } from "../core/model";
import { ConditionFailed, type Item } from "./db";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

/** One stored row: its row number in the uploads, the number, its params. */
export type Row = [row: number, e164: string, ...params: string[]];
/** One sent row: status, catalogue code, message id. */
export type RowResult = [status: string, code: string, messageId: string | null];

export interface Chunk {
  index: number;
  rows: Row[];
  results?: RowResult[];
}

/** The counters a sent chunk adds. */
export type CountAdds = Partial<Record<Exclude<keyof CampaignCounts, "pending">, number>>;

const COUNTERS = [
  "submitted",
  "rejected",
  "failed",
  "unknown",
  "delivered",
  "undelivered",
] as const;

function toCampaign(item: Item | undefined): Campaign | undefined {
  const raw = strip<Record<string, unknown>>(item, "Campaign");
  if (!raw) return undefined;
  const {
    doneChunks: _d,
    parked: _p,
    lease: _l,
    estimateSegments,
    ...rest
  } = raw as Record<string, unknown> & {
    estimateSegments?: number;
  };
  const counts = Object.fromEntries(
    COUNTERS.map((c) => [c, Number(raw[`n_${c}`] ?? 0)]),
  ) as unknown as CampaignCounts;
  for (const c of COUNTERS) delete (rest as Record<string, unknown>)[`n_${c}`];
  const total = Number(raw.total ?? 0);
  counts.pending = Math.max(
    0,
    total - counts.submitted - counts.rejected - counts.failed - counts.unknown,
  );
  return {
    ...(rest as unknown as Campaign),
    total,
    chunks: Number(raw.chunks ?? 0),
    chunksDone: Number(raw.chunksDone ?? 0),
    estimate: { segments: Number(estimateSegments ?? 0) },
    counts,
  };
}

const toChunk = (item: Item): Chunk => ({
  index: Number(item.index),
  rows: JSON.parse(String(item.rows)) as Row[],
  results: item.results ? (JSON.parse(String(item.results)) as RowResult[]) : undefined,
});

export function campaignsStore({ db }: StoreContext) {
  const key = keys.campaign;
  /** A conditional update; a failed condition answers 409 with what the caller tried. */
  async function transition(
    appId: string,
    id: string,
    expr: { update: string; condition: string; names?: Record<string, string>; values: Item },
    refusal: string,
    returnValues: "ALL_NEW" | "ALL_OLD" = "ALL_NEW",
  ): Promise<Item> {
    try {
      const out = await db.update(key(appId, id), {
        ...expr,
        condition: `attribute_exists(pk) AND (${expr.condition})`,
        returnValues,
      });
      return out as Item;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      const now = await db.get(key(appId, id));
      if (!now) throw new AppError("ResourceNotFound", `No campaign ${id}.`);
      throw new AppError(
        "FailedOperation.CampaignState",
        `${refusal}; the campaign is ${String(now.status)}.`,
      );
    }
  }

  return {
    async createCampaign(c: Campaign): Promise<void> {
      const { estimate, counts: _c, ...rest } = c;
      await db.put(
        {
          ...key(c.appId, c.id),
          type: "Campaign",
          ...rest,
          estimateSegments: estimate.segments,
        },
        { condition: "attribute_not_exists(pk)" },
      );
    },

    async getCampaign(appId: string, id: string): Promise<Campaign | undefined> {
      return toCampaign(await db.get(key(appId, id)));
    },

    /** An app's campaigns, newest first (ids are ULIDs). */
    async listCampaigns(
      appId: string,
      limit: number,
      startKey?: Item,
    ): Promise<{ campaigns: Campaign[]; lastKey?: Item }> {
      const page = await db.query({
        pk: `APP#${appId}`,
        skBeginsWith: keys.campaignPrefix(),
        newestFirst: true,
        limit,
        startKey,
      });
      return {
        campaigns: page.items.map((i) => toCampaign(i) as Campaign),
        lastKey: page.lastKey,
      };
    },

    /**
     * Takes the campaign's upload lease (one upload at a time, so row numbers, duplicates
     * and chunk indices stay exact), only while it is a draft.
     */
    async leaseUpload(appId: string, id: string, lease: string, nowIso: string, until: string) {
      try {
        const out = await db.update(key(appId, id), {
          update: "SET lease = :lease, leaseUntil = :until",
          condition:
            "attribute_exists(pk) AND #s = :draft AND (attribute_not_exists(lease) OR leaseUntil < :now)",
          names: { "#s": "status" },
          values: { ":lease": lease, ":until": until, ":now": nowIso, ":draft": "draft" },
          returnValues: "ALL_NEW",
        });
        return toCampaign(out) as Campaign;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const now = await db.get(key(appId, id));
        if (!now) throw new AppError("ResourceNotFound", `No campaign ${id}.`);
        if (now.status !== "draft")
          throw new AppError(
            "FailedOperation.CampaignState",
            `Recipients can be added only to a draft; the campaign is ${String(now.status)}.`,
          );
        throw new AppError("FailedOperation.CampaignBusy");
      }
    },

    /** Gives the lease back without adding anything (the upload was refused). */
    async releaseUpload(appId: string, id: string, lease: string): Promise<void> {
      try {
        await db.update(key(appId, id), {
          update: "REMOVE lease, leaseUntil",
          condition: "lease = :lease",
          values: { ":lease": lease },
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
      }
    },

    /**
     * Before an upload writes any row: one conditional update that holds only if the lease is
     * still ours and the campaign's total plus the upload's rows stays within `ceiling`
     * (`total <= ceiling - rows`). False when it does not hold.
     */
    async reserveRows(appId: string, id: string, lease: string, rows: number, ceiling: number) {
      try {
        await db.update(key(appId, id), {
          update: "SET lease = :lease",
          condition: "lease = :lease AND #total <= :room",
          names: { "#total": "total" },
          values: { ":lease": lease, ":room": ceiling - rows },
        });
        return true;
      } catch (err) {
        if (err instanceof ConditionFailed) return false;
        throw err;
      }
    },

    /**
     * Makes an upload's chunks part of the campaign: they were written at indices from the
     * campaign's `chunks` on, invisible until this one update counts them — and only while
     * the total stays within `ceiling`, so the limit holds exactly whatever ran before.
     */
    async commitUpload(
      appId: string,
      id: string,
      lease: string,
      adds: { chunks: number; rows: number; segments: number },
      at: string,
      ceiling: number,
    ): Promise<Campaign> {
      const out = await transition(
        appId,
        id,
        {
          update:
            "ADD chunks :c, #total :r, estimateSegments :s SET updatedAt = :at REMOVE lease, leaseUntil",
          condition: "lease = :lease AND #total <= :room",
          names: { "#total": "total" },
          values: {
            ":c": adds.chunks,
            ":r": adds.rows,
            ":s": adds.segments,
            ":at": at,
            ":lease": lease,
            ":room": ceiling - adds.rows,
          },
        },
        "The upload's lease expired before it finished; upload the file again",
      );
      return toCampaign(out) as Campaign;
    },

    /** Writes chunk items (25 per BatchWriteItem). */
    async putChunks(appId: string, id: string, chunks: Chunk[]): Promise<void> {
      await db.batchWrite(
        chunks.map((c) => ({
          ...keys.campaignChunk(appId, id, c.index),
          type: "CampaignChunk",
          index: c.index,
          rows: JSON.stringify(c.rows),
        })),
      );
    },

    async getChunk(appId: string, id: string, index: number): Promise<Chunk | undefined> {
      const item = await db.get(keys.campaignChunk(appId, id, index));
      return item ? toChunk(item) : undefined;
    },

    /** Chunks in order, from `from`, at most `limit` items per page (results and uploads). */
    async listChunks(
      appId: string,
      id: string,
      limit: number,
      startKey?: Item,
    ): Promise<{ chunks: Chunk[]; lastKey?: Item }> {
      const page = await db.query({
        pk: keys.campaignChunks(appId, id),
        skBeginsWith: keys.chunkPrefix(),
        limit,
        startKey,
      });
      return { chunks: page.items.map(toChunk), lastKey: page.lastKey };
    },

    /** A sent chunk's per-row results; writing the same results again changes nothing. */
    async putChunkResults(
      appId: string,
      id: string,
      index: number,
      results: RowResult[],
      at: string,
    ): Promise<void> {
      await db.update(keys.campaignChunk(appId, id, index), {
        update: "SET #res = :r, sentAt = if_not_exists(sentAt, :at)",
        condition: "attribute_exists(pk)",
        names: { "#res": "results" },
        values: { ":r": JSON.stringify(results), ":at": at },
      });
    },

    /**
     * Counts a sent chunk into the campaign exactly once: the chunk's index joins the
     * campaign's set of counted chunks in the same update that adds its counters.
     * Returns the campaign after the update, or undefined if it was already counted.
     */
    async countChunk(
      appId: string,
      id: string,
      index: number,
      adds: CountAdds,
      at: string,
    ): Promise<Campaign | undefined> {
      const entries = Object.entries(adds).filter(([, n]) => (n ?? 0) > 0);
      const names: Record<string, string> = Object.fromEntries(
        entries.map(([k]) => [`#n_${k}`, `n_${k}`]),
      );
      const values: Item = Object.fromEntries(entries.map(([k, n]) => [`:n_${k}`, n]));
      try {
        const out = await db.update(key(appId, id), {
          update: `ADD ${[...entries.map(([k]) => `#n_${k} :n_${k}`), "chunksDone :one", "doneChunks :i"].join(", ")} SET updatedAt = :at`,
          condition: "attribute_exists(pk) AND NOT contains(doneChunks, :index)",
          names,
          values: { ...values, ":one": 1, ":i": new Set([index]), ":index": index, ":at": at },
          returnValues: "ALL_NEW",
        });
        return toCampaign(out);
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return undefined;
      }
    },

    /** Delivery reports of a campaign's messages (first final report only). */
    async countReports(
      appId: string,
      id: string,
      adds: { delivered: number; undelivered: number },
    ): Promise<void> {
      await db.update(key(appId, id), {
        update: "ADD n_delivered :d, n_undelivered :u",
        condition: "attribute_exists(pk)",
        values: { ":d": adds.delivered, ":u": adds.undelivered },
      });
    },

    /** Moves the campaign from one of `from` to `to`, setting `set` too. */
    async setCampaignStatus(
      appId: string,
      id: string,
      from: CampaignStatus[],
      to: CampaignStatus,
      set: Record<string, string | number> = {},
      remove: string[] = [],
      extraCondition?: { condition: string; values: Item },
    ): Promise<Campaign> {
      const sets = Object.keys(set);
      const values: Item = {
        ":to": to,
        ...Object.fromEntries(from.map((f, i) => [`:f${i}`, f])),
        ...Object.fromEntries(sets.map((k) => [`:${k}`, set[k]])),
        ...extraCondition?.values,
      };
      const condition = `#s IN (${from.map((_, i) => `:f${i}`).join(", ")})${extraCondition ? ` AND ${extraCondition.condition}` : ""}`;
      const out = await transition(
        appId,
        id,
        {
          update: `SET #s = :to${sets.map((k) => `, ${k} = :${k}`).join("")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
          condition,
          names: { "#s": "status" },
          values,
        },
        `Cannot make the campaign ${to}`,
      );
      return toCampaign(out) as Campaign;
    },

    /**
     * A lane stops at chunk `index` because the campaign is paused; resume hands it back.
     * Only while paused: a resume that came first makes this fail, and the lane goes on.
     */
    async parkLane(appId: string, id: string, index: number): Promise<boolean> {
      try {
        await db.update(key(appId, id), {
          update: "ADD parked :i",
          condition: "#s = :paused",
          names: { "#s": "status" },
          values: { ":i": new Set([index]), ":paused": "paused" },
        });
        return true;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        return false;
      }
    },

    /** Resumes a paused campaign and takes its parked lanes, in one update. */
    async resumeCampaign(
      appId: string,
      id: string,
      at: string,
    ): Promise<{ campaign: Campaign; parked: number[] }> {
      const old = await transition(
        appId,
        id,
        {
          update: "SET #s = :running, updatedAt = :at REMOVE parked, pauseReason",
          condition: "#s = :paused",
          names: { "#s": "status" },
          values: { ":running": "running", ":paused": "paused", ":at": at },
        },
        "Only a paused campaign can be resumed",
        "ALL_OLD",
      );
      const raw = (await db.get(key(appId, id))) as Item;
      const parked = ((old.parked as number[] | undefined) ?? []).map(Number);
      return { campaign: toCampaign(raw) as Campaign, parked };
    },

    async parkedOf(appId: string, id: string): Promise<number[]> {
      const raw = await db.get(key(appId, id));
      return ((raw?.parked as number[] | undefined) ?? []).map(Number);
    },
  };
}
