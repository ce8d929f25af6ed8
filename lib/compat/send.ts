/**
 * The compatibility layers' one way into the send pipeline: every rule of POST /v1/messages
 * applies (opt-outs, frequency, limits, balance, marketing hours, countries), because it is
 * the same function. Kept to this one call so a change to the pipeline's signature is a
 * one-line change here.
 */
import type { Deps } from "../core/deps";
import { type SendResponse, sendMessages } from "../send/pipeline";

export interface CompatSend {
  /** An app key (for Tencent-style credentials: the sealed key it acts as). */
  key: string;
  to: string[];
  template: string;
  params: string[];
  sign?: string;
  context?: string;
  requestId: string;
  origin: string;
}

export function submit(deps: Deps, s: CompatSend): Promise<SendResponse> {
  return sendMessages(deps, {
    key: s.key,
    body: {
      to: s.to,
      template: s.template,
      params: s.params,
      sign: s.sign,
      context: s.context,
      dryRun: false,
    },
    requestId: s.requestId,
    origin: s.origin,
  });
}
