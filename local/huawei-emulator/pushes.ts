/**
 * What the emulator pushes to the customer, form-encoded: per-message status reports to the
 * request's `statusCallback` (docs/providers/huawei.md §4.1) and upstream replies to the app's
 * reply URL (§5), acknowledged by HTTP 200 (§4.4). Cited below as "docs/providers/huawei.md §n".
 */
import { ControlError } from "../emulator-kit/control";
import { simulatorBehaviour } from "../emulator-kit/faults";
import type { Push } from "../emulator-kit/push";
import { type Phone, parseReplyPhone } from "./phone";
import { type HuaweiState, newSmsMsgId, type SendContext, type SmsId } from "./state";
import type { ReplyInput } from "./types";
import { FORM_TYPE } from "./validate";
import { wsseCreated } from "./wsse";

// docs/providers/huawei.md §4.4: Huawei documents NO retry for pushes. The emulator still retries twice
// (200 ms, then 500 ms; our choice) so tests exercise a receiver that sees a push twice.
const PUSH_RETRY_DELAYS_MS = [200, 500];

/**
 * POST a form callback; acknowledged = HTTP 200 (docs/providers/huawei.md §4.4: "200 OK with an empty
 * body"; for replies "any response"). Resolves true when acknowledged.
 */
function deliver(
  state: HuaweiState,
  url: string,
  form: URLSearchParams,
  what: string,
  epoch?: number,
): Promise<boolean> {
  const push: Push = {
    url,
    contentType: FORM_TYPE,
    body: form.toString(),
    what,
    retryDelaysMs: PUSH_RETRY_DELAYS_MS,
    acknowledged: (result) => result.status === 200,
    refusal: (result) => `answered HTTP ${result.status}`,
  };
  return state.push(push, epoch);
}

// ---------------------------------------------------------------------------------------------
// Status reports (docs/providers/huawei.md §4.1)

/** A status report waiting for the report delay. */
export interface PendingReport {
  url: string;
  smsMsgId: string;
  phone: Phone;
  total: number;
  delivered: boolean;
  extend: string;
}

/** Adds the report of an accepted number to `pending`, unless none is to be pushed. */
export function queueReport(
  context: SendContext,
  phone: Phone,
  item: SmsId,
  pending: PendingReport[],
): void {
  const behaviour = simulatorBehaviour(phone);
  // docs/providers/huawei.md §2.1: no statusCallback → no per-message push. "444": never reported.
  if (!context.form.statusCallback || behaviour === "silent" || !item.smsMsgId) return;
  pending.push({
    url: context.form.statusCallback,
    smsMsgId: item.smsMsgId,
    phone,
    total: item.total,
    delivered: behaviour === "deliver",
    extend: context.form.extend,
  });
}

/** Push a request's reports after the report delay; a reset meanwhile drops them. */
export function scheduleReports(state: HuaweiState, pending: PendingReport[]): void {
  if (pending.length === 0) return;
  const epoch = state.epoch;
  state.timers.schedule(state.reportDelayMs, () => {
    const updateTime = wsseCreated(state.now());
    for (const report of pending) {
      void deliver(state, report.url, reportForm(report, updateTime), "status report", epoch);
    }
  });
}

/**
 * docs/providers/huawei.md §4.1 body, in the order of the doc example; `extend` and `to` only when `extend`
 * was sent; `orgCode` only for numbers outside the mainland (shown as 000 in the doc).
 * UNCONFIRMED (docs/providers/huawei.md §9): whether a long SMS gets one push per segment; we send one.
 */
function reportForm(report: PendingReport, updateTime: string): URLSearchParams {
  const form = new URLSearchParams({ sequence: "1", total: String(report.total) });
  if (!report.phone.mainland) form.set("orgCode", "000");
  form.set("updateTime", updateTime);
  form.set("source", "2");
  form.set("smsMsgId", report.smsMsgId);
  form.set("status", report.delivered ? "DELIVRD" : "UNDELIV");
  if (report.extend) {
    form.set("extend", report.extend);
    form.set("to", report.phone.e164);
  }
  return form;
}

// ---------------------------------------------------------------------------------------------
// Replies (docs/providers/huawei.md §5)

/**
 * The user replies: pushed to the input's app, else the one that last sent to the number,
 * else the first. Rejects with a ControlError when it cannot be pushed or is not acknowledged.
 */
export async function reply(state: HuaweiState, input: ReplyInput): Promise<void> {
  const phone = parseReplyPhone(input.phone);
  if (!phone) throw new ControlError(400, `cannot parse phone ${input.phone}`);
  const last = state.lastSenderTo(phone.e164);
  const appKey = input.appKey ?? last?.appKey ?? state.credentials.keys().next().value;
  const credential = appKey === undefined ? undefined : state.credentials.get(appKey);
  if (!credential) throw new ControlError(404, `unknown appKey ${appKey ?? "(none configured)"}`);
  if (!credential.replyCallbackUrl) {
    throw new ControlError(409, `app ${credential.appKey} has no replyCallbackUrl`);
  }
  const form = new URLSearchParams({
    from: phone.e164,
    to: replyChannel(state, input.sign, last?.sender),
    body: input.text,
    // docs/providers/huawei.md §5: the id of the upstream message, never the downlink's.
    smsMsgId: newSmsMsgId(),
    // docs/providers/huawei.md §5: only sent when the app enables "接收上行短信回复时间"; the emulator
    // behaves as if it were enabled.
    createTime: wsseCreated(state.now()),
  });
  if (!(await deliver(state, credential.replyCallbackUrl, form, "reply"))) {
    throw new ControlError(502, "the reply callback was not acknowledged");
  }
}

/** docs/providers/huawei.md §5 `to`: the channel number the user replied to. */
function replyChannel(
  state: HuaweiState,
  sign: string | undefined,
  lastSender: string | undefined,
): string {
  const senders = [...state.senders.values()];
  const bySign = sign === undefined ? undefined : senders.find((s) => s.signature === sign);
  const channel = bySign?.sender ?? lastSender ?? senders[0]?.sender;
  if (!channel) throw new ControlError(409, "no sender (channel number) is configured");
  return channel;
}
