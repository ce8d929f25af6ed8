/**
 * Every key of the one table is built here and nowhere else (docs/access-patterns.md).
 * Generic attributes: pk, sk, gsi1pk, gsi1sk; entity prefixes keep types apart.
 */
export interface Key {
  pk: string;
  sk: string;
}

export const keys = {
  app: (appId: string): Key => ({ pk: `APP#${appId}`, sk: "APP" }),
  /** GSI: every app, enabled ones first by sort key ("E#…"), which the checker reads. */
  apps: () => "APPS",
  appListing: (enabled: boolean, appId: string) => `${enabled ? "E" : "D"}#${appId}`,
  template: (appId: string, templateId: string): Key => ({
    pk: `APP#${appId}`,
    sk: `TPL#${templateId}`,
  }),
  templatePrefix: () => "TPL#",
  apiKey: (hash: string): Key => ({ pk: `APIKEY#${hash}`, sk: "APIKEY" }),
  /** An app's key listing lives in the app's partition (no secrets, only the hash). */
  apiKeyRef: (appId: string, keyId: string): Key => ({ pk: `APP#${appId}`, sk: `KEY#${keyId}` }),
  message: (messageId: string): Key => ({ pk: `MSG#${messageId}`, sk: "MSG" }),
  /** A message's final delivery status, beside its record; written by the first report. */
  messageStatus: (messageId: string): Key => ({ pk: `MSG#${messageId}`, sk: "STATUS" }),
  /** How many orphan reports one binding has left today (bounded, lib/store/messages.ts). */
  orphanBudget: (binding: string, day: string): Key => ({ pk: `ORPHANBUDGET#${binding}`, sk: day }),
  /** GSI: final statuses whose record did not exist when they arrived (not yet counted). */
  orphans: () => "ORPHANS",
  /**
   * A timed-out (`unknown`) send, by the vendor account it went through and the number, then
   * our request id: a pushed or pulled report names binding and number, and echoes the id.
   */
  unknown: (binding: string, e164: string, reference: string): Key => ({
    pk: `UNKNOWN#${binding}#${e164}`,
    sk: reference,
  }),
  unknownPartition: (binding: string, e164: string) => `UNKNOWN#${binding}#${e164}`,
  /** GSI: every open unknown send, by creation time: those past the report window expire. */
  openUnknowns: () => "UNKNOWNS",
  /**
   * Which app last texted a number under a signature through a vendor account: where a reply
   * to the account-level reply URL goes (one reply URL per Tencent account).
   */
  lastSent: (account: string, e164: string, sign: string): Key => ({
    pk: `LASTSENT#${account}#${e164}`,
    sk: sign,
  }),
  lastSentPartition: (account: string, e164: string) => `LASTSENT#${account}#${e164}`,
  /** A reply's de-duplication marker: number, signature, text and the vendor's time. */
  replySeen: (appId: string, e164: string, fingerprint: string): Key => ({
    pk: `REPLYSEEN#${appId}#${e164}`,
    sk: fingerprint,
  }),
  /** GSI: replies waiting to be forwarded (before the outbox; drained by the checker). */
  pendingForwards: () => "FORWARD#PENDING",
  /**
   * One webhook event waiting for delivery (lib/store/outbox.ts). The partition is its
   * subject — a message (`M<id>`) or a reply (`R<id>`) — and the sort key its place in that
   * subject's order, so a Query of the partition lists what is left to deliver, in order.
   */
  outbox: (appId: string, subject: string, order: string): Key => ({
    pk: `HOOK#${appId}#${subject}`,
    sk: order,
  }),
  /** GSI: outbox events by when they are due, spread over a few shards (lib/store/outbox.ts). */
  outboxDue: (shard: number) => `OUTBOX#${shard}`,
  /** GSI: one number's records, newest first. */
  messagesByPhone: (appId: string, e164: string) => `PHONE#${appId}#${e164}`,
  /** GSI gsi2: an app's records by time, newest first (sort key "<createdAt>#<id>"). */
  messagesOfApp: (appId: string) => `RECS#${appId}`,
  /** GSI gsi3: one campaign's records by time, newest first (sort key "<createdAt>#<id>"). */
  messagesOfCampaign: (appId: string, campaign: string) => `CAMPRECS#${appId}#${campaign}`,
  /** GSI gsi2: an app's replies by time, newest first (sort key "<receivedAt>#<id>"). */
  repliesOfApp: (appId: string) => `REPLIES#${appId}`,
  reply: (appId: string, e164: string, at: string, id: string): Key => ({
    pk: `REPLY#${appId}#${e164}`,
    sk: `${at}#${id}`,
  }),
  replyPartition: (appId: string, e164: string) => `REPLY#${appId}#${e164}`,
  idempotency: (appId: string, idemKey: string): Key => ({
    pk: `IDEM#${appId}#${idemKey}`,
    sk: "IDEM",
  }),
  /**
   * One number's frequency windows and natural-day counts: checked and reserved in one update.
   * One item across days, so sliding windows cross midnight (lib/rules/frequency.ts).
   */
  frequency: (appId: string, e164: string): Key => ({
    pk: `FREQ#${appId}#${e164}`,
    sk: "FREQ",
  }),
  /**
   * One app's limit counters for one day, or one shard of them (shard 0 is the unsharded
   * key): each shard its own partition key, so an app can outgrow one partition.
   */
  usage: (appId: string, day: string, shard = 0): Key => ({
    pk: shard ? `USAGE#${appId}#${shard}` : `USAGE#${appId}`,
    sk: day,
  }),
  /** One scope's statistics of one app-local day (lib/rules/stats.ts statItems), per shard. */
  stats: (appId: string, day: string, scope: string, shard = 0): Key => ({
    pk: shard ? `STATS#${appId}#${shard}` : `STATS#${appId}`,
    sk: `${day}#${scope}`,
  }),
  statsPartition: (appId: string, shard = 0) =>
    shard ? `STATS#${appId}#${shard}` : `STATS#${appId}`,
  /** A number's opt-outs for one app, one attribute per signature. */
  optOut: (appId: string, e164: string): Key => ({ pk: `OPTOUT#${appId}#${e164}`, sk: "OPTOUT" }),
  /** A fired alert: its key (event, threshold, period) is the at-most-once marker. */
  alert: (appId: string, alertKey: string): Key => ({ pk: `ALERT#${appId}`, sk: alertKey }),
  /** GSI: an app's opted-out numbers. */
  optOutsOfApp: (appId: string) => `OPTOUTS#${appId}`,
  /** A Tencent-style credential by its SecretId (docs/api.md "Drop-in compatibility"). */
  tencentCredential: (secretId: string): Key => ({ pk: `TCCRED#${secretId}`, sk: "TCCRED" }),
  /** One client IP's sends through the Logto connector for one app-local day. */
  ipLimit: (appId: string, ip: string, day: string): Key => ({
    pk: `IPFREQ#${appId}#${ip}`,
    sk: day,
  }),
  /** GSI: final statuses not yet pulled with PullSmsSendStatus, oldest first. */
  pullQueue: (appId: string) => `PULL#${appId}`,
  /** Prepaid balances: domestic segments, international micro-units (lib/rules/package.ts). */
  package: (appId: string): Key => ({ pk: `APP#${appId}`, sk: "PKG" }),
  /** One top-up of the prepaid package: the audit trail, listed newest first. */
  topUp: (appId: string, at: string, id: string): Key => ({
    pk: `TOPUPS#${appId}`,
    sk: `${at}#${id}`,
  }),
  topUps: (appId: string) => `TOPUPS#${appId}`,
  /** A campaign, in its app's partition (listed with begins_with CAMP#). */
  campaign: (appId: string, id: string): Key => ({ pk: `APP#${appId}`, sk: `CAMP#${id}` }),
  campaignPrefix: () => "CAMP#",
  /** One chunk of a campaign's rows (≤ 200) and, once sent, their results. */
  campaignChunk: (appId: string, id: string, index: number): Key => ({
    pk: `CAMPROWS#${appId}#${id}`,
    sk: `CH#${String(index).padStart(7, "0")}`,
  }),
  campaignChunks: (appId: string, id: string) => `CAMPROWS#${appId}#${id}`,
  chunkPrefix: () => "CH#",
  /** A customer group, in its app's partition (listed with begins_with GRP#). */
  group: (appId: string, id: string): Key => ({ pk: `APP#${appId}`, sk: `GRP#${id}` }),
  groupPrefix: () => "GRP#",
  /** One member of a group: the number is the sort key, so a member is stored once. */
  groupMember: (appId: string, id: string, e164: string): Key => ({
    pk: `GROUP#${appId}#${id}`,
    sk: e164,
  }),
  groupMembers: (appId: string, id: string) => `GROUP#${appId}#${id}`,
};
