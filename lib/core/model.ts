/** Domain types shared by pipelines, store and providers. */

import type { AlertEvent, AlertRules } from "../rules/alerts";
import type { FrequencyLimits } from "../rules/frequency";
import type { Region, TemplateKind } from "../rules/template";
import type { Ceilings, Thresholds } from "../rules/usage";
import type { ErrorCode } from "./errors";

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
  /** When the balances were last set: a top-up starts a new alert period. */
  setAt?: string;
  /** Prepaid domestic segments bought, and the balance that raises an alert. */
  domestic?: { segments: number; alertBelow?: number };
  /** Prepaid international segments bought, and the alert percentages of that amount. */
  international?: { amount: number; alertPercents?: number[] };
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
  /** ISO country codes allowed; absent or empty: every country. */
  allowedCountries?: string[];
  frequency: FrequencyLimits;
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
  createdAt: string;
  updatedAt: string;
}

/** An opt-out entry: one number, one signature (or "*" for every signature of the app). */
export interface OptOutEntry {
  sign: string;
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
  context?: string;
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
  submittedAt?: string;
  reportedAt?: string;
  receivedAt?: string;
  history: HistoryEntry[];
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
}

/** A message's final status, written by the first report that wins. */
export interface MessageStatusItem {
  messageId: string;
  status: "delivered" | "undelivered";
  carrierCode: string;
  description?: string;
  provider: ProviderName;
  serial: string;
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
  forward?: { state: "pending" | "delivered" | "failed"; attempts: number; lastAttemptAt?: string };
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
