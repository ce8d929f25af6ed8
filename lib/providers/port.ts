/**
 * The provider port (docs/architecture.md "Providers"). Adapters never throw for vendor faults: every
 * number gets an outcome, so no fault becomes a bare 500 or loses a message.
 */
import type { ErrorCode } from "../core/errors";
import type { InboundReply, ProviderBinding, ProviderName, StatusReport } from "../core/model";
import type { Region } from "../rules/template";

export interface SendBatch {
  binding: ProviderBinding;
  /** E.164 numbers, at most the adapter's maxBatch. */
  numbers: string[];
  providerTemplateId: string;
  region: Region;
  params: string[];
  /**
   * Numbers whose params differ from `params`, by E.164; only for a provider that declares
   * `perNumberParams` (one call carries a content per group of numbers).
   */
  paramsByNumber?: Map<string, string[]>;
  sign?: string;
  /** Our request id, echoed by the vendor so a timed-out send can be reconciled. */
  reference: string;
  /** Where the vendor should push status reports, for vendors that take it per request (Huawei). */
  statusCallbackUrl?: string;
}

export type NumberOutcome =
  | { status: "accepted"; to: string; serial: string; segments: number; country: string }
  /**
   * The vendor refused, or certainly did not send. `failover` marks request-level failures
   * that are certain not to have sent anything (connection refused, 5xx, throttling).
   */
  | {
      status: "refused";
      to: string;
      code: ErrorCode;
      vendorCode: string;
      message: string;
      failover: boolean;
    }
  /** Nobody knows: timeout or an unreadable answer. Never retried blindly, never failed over. */
  | { status: "unknown"; to: string; code: ErrorCode; vendorCode?: string; message: string };

export interface WebhookAck {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type Parsed<T> = { ok: true; items: T[] } | { ok: false; error: string };

/** A delivery status fetched from the vendor, with our request id where the vendor echoes it. */
export interface PulledStatus extends StatusReport {
  reference?: string;
}

/** Sending: needs the deployment's credentials for the vendor. */
export interface Provider {
  readonly name: ProviderName;
  readonly maxBatch: number;
  /**
   * Whether one call may carry different params per number (`SendBatch.paramsByNumber`):
   * Huawei's batchSendDiffSms. Without it, callers send each set of params on its own.
   */
  readonly perNumberParams?: boolean;
  send(batch: SendBatch): Promise<NumberOutcome[]>;
  /** Statuses the vendor holds for pulling (each returned once), where the vendor offers it. */
  pullStatuses?(binding: ProviderBinding): Promise<PulledStatus[]>;
}

/** Reading the vendor's callbacks: pure, needs no credentials. */
export interface Webhooks {
  parseStatusReports(body: string, contentType: string | undefined): Parsed<StatusReport>;
  parseReplies(body: string, contentType: string | undefined): Parsed<InboundReply>;
  /** The acknowledgement the vendor expects for a callback. */
  ack(ok: boolean, message?: string): WebhookAck;
}

/**
 * The providers whose calls take params per number, known without credentials: the upload
 * packs rows for them (lib/campaigns/api.ts), where no provider is built.
 */
export const PER_NUMBER_PARAMS: ReadonlySet<ProviderName> = new Set<ProviderName>(["huawei"]);
