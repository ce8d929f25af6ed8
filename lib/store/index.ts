/**
 * The store: every read and write of smsgate's data, one module per entity, each access
 * named by its pattern (docs/access-patterns.md). Items carry type, createdAt and updatedAt.
 */
import { alertsStore } from "./alerts";
import { appsStore } from "./apps";
import { campaignsStore } from "./campaigns";
import { contextStore } from "./context";
import { countersStore } from "./counters";
import { credentialsStore } from "./credentials";
import type { Db } from "./db";
import { groupsStore } from "./groups";
import { idempotencyStore } from "./idempotency";
import { ipLimitsStore } from "./ip-limits";
import type { StoreContext } from "./items";
import { messagesStore } from "./messages";
import { optoutsStore } from "./optouts";
import { outboxStore } from "./outbox";
import { packageStore } from "./package";
import { pullStore } from "./pull";
import { repliesStore } from "./replies";
import { statsStore } from "./stats";
import { templatesStore } from "./templates";

export { MAX_CONTACTS, MAX_WHITELIST } from "./apps";
export type { Chunk, CountAdds, Row, RowResult } from "./campaigns";
export type { RequestContext } from "./context";
export type { Db } from "./db";
export { ConditionFailed } from "./db";
export type { IdempotencyRecord } from "./idempotency";
export { MAX_ORPHANS_PER_DAY, mergeStatus, type ReportSource } from "./messages";
export type { OutboxEvent, OutboxItem } from "./outbox";

export interface StoreOptions {
  db: Db;
  /** Records expire this many days after creation (TTL). */
  recordTtlDays: number;
}

export function createStore({ db, recordTtlDays }: StoreOptions) {
  const ctx: StoreContext = {
    db,
    ttl: (createdAt) => Math.floor(Date.parse(createdAt) / 1000) + recordTtlDays * 86400,
  };
  return {
    ...contextStore(ctx),
    ...appsStore(ctx),
    ...templatesStore(ctx),
    ...idempotencyStore(ctx),
    ...countersStore(ctx),
    ...statsStore(ctx),
    ...packageStore(ctx),
    ...messagesStore(ctx),
    ...optoutsStore(ctx),
    ...repliesStore(ctx),
    ...outboxStore(ctx),
    ...alertsStore(ctx),
    ...credentialsStore(ctx),
    ...ipLimitsStore(ctx),
    ...pullStore(ctx),
    ...campaignsStore(ctx),
    ...groupsStore(ctx),
  };
}

export type Store = ReturnType<typeof createStore>;
