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
  /** A timed-out send's number, by our request id: how a pulled status finds its record. */
  unknown: (appId: string, reference: string, e164: string): Key => ({
    pk: `UNKNOWN#${appId}`,
    sk: `${reference}#${e164}`,
  }),
  /** GSI: replies waiting to be forwarded to the app's webhook, by when they are due. */
  pendingForwards: () => "FORWARD#PENDING",
  /** GSI: one number's records, newest first. */
  messagesByPhone: (appId: string, e164: string) => `PHONE#${appId}#${e164}`,
  reply: (appId: string, e164: string, at: string, id: string): Key => ({
    pk: `REPLY#${appId}#${e164}`,
    sk: `${at}#${id}`,
  }),
  replyPartition: (appId: string, e164: string) => `REPLY#${appId}#${e164}`,
  idempotency: (appId: string, idemKey: string): Key => ({
    pk: `IDEM#${appId}#${idemKey}`,
    sk: "IDEM",
  }),
  /** One number's frequency windows for one day: checked and reserved in one update. */
  frequency: (appId: string, e164: string, day: string): Key => ({
    pk: `FREQ#${appId}#${e164}`,
    sk: day,
  }),
  /** One app's counters for one day: limits, usage and statistics. */
  usage: (appId: string, day: string): Key => ({ pk: `USAGE#${appId}`, sk: day }),
  /** A number's opt-outs for one app, one attribute per signature. */
  optOut: (appId: string, e164: string): Key => ({ pk: `OPTOUT#${appId}#${e164}`, sk: "OPTOUT" }),
  /** A fired alert: its key (event, threshold, period) is the at-most-once marker. */
  alert: (appId: string, alertKey: string): Key => ({ pk: `ALERT#${appId}`, sk: alertKey }),
  /** GSI: an app's opted-out numbers. */
  optOutsOfApp: (appId: string) => `OPTOUTS#${appId}`,
  /** Prepaid balances, in segments. */
  package: (appId: string): Key => ({ pk: `APP#${appId}`, sk: "PKG" }),
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
