/** Domain types shared by pipelines, store and providers. */

import type { AlertEvent, AlertRules } from "../rules/alerts";
import type { FrequencyLimits } from "../rules/frequency";
import type { Region, TemplateKind } from "../rules/template";
import type { Ceilings, Thresholds, UsageShards } from "../rules/usage";
import type { ErrorCode } from "./errors";
import type { CallbackTokens } from "./secrets";

export type ProviderName = "tencent" | "huawei";
export type Scope = "send" | "read" | "admin";

/** How one app uses one provider; settings left out fall back to the deployment's. */
export interface ProviderBinding {
  provider: ProviderName;
  /** Tencent SmsSdkAppId. */
  sdkAppId?: string;
  /** Huawei channel number (通道号) per signature; `sender` when a signature has none. */
  senders?: Record<string, string>;
  sender?: string;
}

export interface AlertContact {
  id: string;
  name: string;
  phone: string;
  email?: string;
  events: AlertEvent[];
}

export interface PackageConfig {
  /** When the package was last set with PUT (a top-up starts its own period on the balance item). */
  setAt?: string;
  /**
   * Prepaid domestic segments bought, the balance that raises an alert, and what happens when
   * it is used up: refuse ("stop", the default) or send on into a negative balance and alert.
   */
  domestic?: { segments: number; alertBelow?: number; onExhausted?: "stop" | "continue" };
  /**
   * The international amount bought, in the operator's currency (≤ 4 decimals), the alert
   * percentages of what was bought, the price of one segment per ISO country and for any other
   * country, and what happens when it is used up. Without prices every segment costs 1.
   */
  international?: {
    amount: number;
    alertPercents?: number[];
    prices?: Record<string, number>;
    defaultPrice?: number;
    onExhausted?: "stop" | "continue";
  };
}

export interface App {
  appId: string;
  name: string;
  enabled: boolean;
  defaultSign?: string;
  timeZone: string;
  signatures: string[];
  providers: ProviderBinding[];
  thresholds: Thresholds;
  /** The operator's highest daily limits for this app; its own limits stay at or below. */
  ceilings?: Ceilings;
  /** Operator-only: how many shards the day counters are split into (lib/rules/usage.ts). */
  usageShards?: UsageShards;
  /** ISO country codes allowed; absent or empty: every country. */
  allowedCountries?: string[];
  frequency: FrequencyLimits & { perIp?: IpLimits | null };
  /** Logto's message type (SignIn, Register, …) → the template it sends (docs/api.md). */
  usageTemplates?: Record<string, string>;
  marketingWindow: { start: string; end: string };
  /** The footer marketing bodies must carry; default 拒收请回复R. */
  unsubscribeFooter?: string;
  /** Numbers exempt from frequency limits (≤ 300): E.164 → when added. */
  whitelist: Record<string, string>;
  package?: PackageConfig;
  unsubscribeKeywords?: string[];
  /** Up to 5 people alerted by SMS, each for the events they chose. */
  contacts?: Record<string, AlertContact>;
  alertRules?: AlertRules;
  /** This app's own approved alert template per provider, instead of the deployment's. */
  alertTemplateIds?: Partial<Record<ProviderName, string>>;
  /** Where replies are forwarded; the signing secret is stored sealed (lib/core/secrets.ts). */
  replyWebhook?: { url: string; sealedSecret: string };
  /**
   * Where status changes are POSTed (`message.status`), for the events subscribed (all when
   * absent); the signing secret is stored sealed like replyWebhook's.
   */
  statusWebhook?: { url: string; sealedSecret: string; events?: StatusEvent[] };
  /** Which callback-token generation is current, and the previous one while it lasts. */
  callbackTokens?: CallbackTokens;
  /** Moves on with every change of the app item: the settings' ETag. */
  version?: number;
  createdAt: string;
  updatedAt: string;
}

/** An opt-out entry: one number, one signature (or "*" for every signature of the app). */
export interface OptOutEntry {
  sign: string;
  /** The SMS type it blocks ("*" or absent: every type); Tencent blocks only the same type. */
  kind?: TemplateKind | "*";
  reason: "manual" | "reply-keyword" | "carrier";
  at: string;
  /** The reply text, or who removed/added it: the audit trail. */
  detail?: string;
}

export interface Template {
  appId: string;
  id: string;
  kind: TemplateKind;
  region: Region;
  body: string;
  variables: number;
  /** The longest a non-verification variable may be; absent: the provider's default. */
  maxParamLength?: number | null;
  providerTemplateIds: Partial<Record<ProviderName, string>>;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKeyRecord {
  keyId: string;
  appId: string | "*";
  scopes: Scope[];
  hash: string;
  createdAt: string;
  /** A Tencent-style credential: its SecretId (public), and the key it acts as. */
  format?: "tencent";
  secretId?: string;
}

/** Per-client-IP limits on the Logto connector's sends (null or absent: off). */
export interface IpLimits {
  oneHour?: number | null;
  oneDay?: number | null;
}

/**
 * A Tencent-style credential (docs/api.md "Drop-in compatibility"). TC3 verification needs
 * the SecretKey itself, so it is sealed (lib/core/secrets.ts), never stored in clear; so is
 * the app key it acts as, which the send pipeline authenticates like any other.
 */
export interface TencentCredential {
  secretId: string;
  appId: string;
  keyId: string;
  scopes: Scope[];
  /** seal(JSON {secretKey, key}). */
  sealed: string;
  createdAt: string;
}

/** Who is calling: an app key, or the operator key ("*": every app). */
export interface Principal {
  appId: string | "*";
  scopes: Scope[];
  keyId: string;
}

export type MessageStatus =
  | "submitted"
  | "rejected"
  | "failed"
  | "unknown"
  | "delivered"
  | "undelivered"
  | "expired";

export interface HistoryEntry {
  status: MessageStatus;
  at: string;
  code?: string;
}

export interface MessageRecord {
  id: string;
  appId: string;
  requestId: string;
  to: string;
  country: string;
  template: string;
  templateKind: TemplateKind;
  /** Params as stored: verification codes are masked before they reach the table. */
  params: string[];
  sign?: string;
  status: MessageStatus;
  code: string;
  message?: string;
  segments: number;
  /** The rendered content, signature included, verification codes masked (docs/api.md). */
  text?: string;
  /** Characters of `text`, as the vendor counts them for segments. */
  length?: number;
  context?: string;
  /** The campaign that sent it (GET /v1/messages?campaign=…). */
  campaign?: string;
  provider: ProviderName;
  /** The vendor account it went through (lib/core/binding.ts): what may report on it. */
  binding?: string;
  providerMessageId?: string;
  vendorCode?: string;
  carrierCode?: string;
  createdAt: string;
  /** The app-local day and hour of the send: statistics are counted there. */
  day?: string;
  hour?: string;
  /** The shard of the app's day counters it was counted on, when they are sharded. */
  shard?: number;
  submittedAt?: string;
  reportedAt?: string;
  receivedAt?: string;
  history: HistoryEntry[];
}

/** The status changes an app may subscribe to (docs/api.md "Webhooks to the app"). */
export const STATUS_EVENTS = [
  "submitted",
  "delivered",
  "undelivered",
  "failed",
  "expired",
] as const;
export type StatusEvent = (typeof STATUS_EVENTS)[number];

/** A message's status changed: at send time, by a report, by reconciliation or by expiry. */
export interface StatusTransition {
  record: MessageRecord;
  status: StatusEvent;
  /** The catalogue code at send time; the carrier's receipt code for a report ("" if none). */
  code: string;
  /** When it changed (ISO). */
  at: string;
}

/** A delivery report, normalised from any vendor. */
export interface StatusReport {
  provider: ProviderName;
  serial: string;
  phone: string;
  delivered: boolean;
  carrierCode: string;
  description?: string;
  /** When the handset received it (vendor time), ISO. */
  receivedAt?: string;
  /** What smsgate sent along (our request id: Tencent `ext`/SessionContext, Huawei `extend`). */
  reference?: string;
}

/** A message's final status, written by the first report that wins. */
export interface MessageStatusItem {
  messageId: string;
  /** `expired`: still unknown when the vendor's report window (72 h) closed. */
  status: "delivered" | "undelivered" | "expired";
  carrierCode: string;
  description?: string;
  provider: ProviderName;
  serial: string;
  /** The request id the report echoed, kept on an orphan until its unknown send appears. */
  reference?: string;
  /** The binding the report came through and the number it named (checked against the record). */
  binding?: string;
  phone?: string;
  reportedAt: string;
  receivedAt: string;
}

/** A reply as stored. */
export interface StoredReply extends InboundReply {
  id: string;
  appId: string;
  createdAt: string;
  /** Whether it unsubscribed the number. */
  optedOut: boolean;
  forward?: {
    state: "pending" | "delivered" | "failed";
    attempts?: number;
    lastAttemptAt?: string;
  };
}

/** An inbound SMS reply, normalised from any vendor. */
export interface InboundReply {
  provider: ProviderName;
  phone: string;
  text: string;
  sign?: string;
  extend?: string;
  receivedAt: string;
}

export interface PerNumberResult {
  to: string;
  id?: string;
  status: MessageStatus | "allowed";
  code: ErrorCode | string;
  message?: string;
  segments?: number;
  country?: string;
}

/** A campaign's life (docs/api.md "Campaigns and customer groups"). */
export type CampaignStatus =
  | "draft"
  | "scheduled"
  | "running"
  | "paused"
  | "completed"
  | "cancelled";

/** What happened to a campaign's rows so far; `pending` is total less the others. */
export interface CampaignCounts {
  pending: number;
  submitted: number;
  rejected: number;
  failed: number;
  unknown: number;
  delivered: number;
  undelivered: number;
}

export interface Campaign {
  appId: string;
  id: string;
  name: string;
  template: string;
  sign?: string;
  /** Shared params for rows that carry none (a group's members). */
  params?: string[];
  group?: string;
  status: CampaignStatus;
  /** Why a paused campaign is paused: by a caller, or waiting for the marketing window. */
  pauseReason?: "user" | "marketingWindow";
  total: number;
  /** Stored chunks of rows (≤ 200 each), and how many of them have been sent. */
  chunks: number;
  chunksDone: number;
  /** Chunks in flight at once: lane j sends chunks j, j + lanes, j + 2·lanes, … */
  lanes?: number;
  estimate: { segments: number };
  counts: CampaignCounts;
  sendAt?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  completedAt?: string;
  cancelledAt?: string;
}

/** A customer group: numbers kept to send campaigns to. */
export interface Group {
  appId: string;
  id: string;
  name: string;
  members: number;
  createdAt: string;
  updatedAt: string;
}
