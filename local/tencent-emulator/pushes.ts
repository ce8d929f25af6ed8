/**
 * What the emulator pushes to the customer: status reports (docs/providers/tencent.md §4a,
 * which also become pullable by PullSmsSendStatus) and replies (§4b), with Tencent's
 * acknowledgement rule and retries (§4c). Cited below as "docs/providers/tencent.md §n".
 */
import { ControlError } from "../emulator-kit/control";
import { simulatorBehaviour } from "../emulator-kit/faults";
import { isRecord, type Json } from "../emulator-kit/http";
import type { PostResult, Push } from "../emulator-kit/push";
import { parsePhone } from "./phone";
import type { PendingReport, PullStatus, SendStatus, TencentState } from "./state";
import type { ReplyInput } from "./types";
import type { SendNumber, SendRequest } from "./validate";

const MAX_REPORTS_PER_PUSH = 100; // docs/providers/tencent.md §4a
const PUSH_RETRY_DELAYS_MS = [200, 500]; // docs/providers/tencent.md §4c: 2 retries; intervals are ours

/** "YYYY-MM-DD HH:MM:SS" in UTC+8 (docs/providers/tencent.md §4a: timezone presumed UTC+8, UNCONFIRMED). */
function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** docs/providers/tencent.md §4c: the customer acknowledges with HTTP 200 and `{"result":0,…}`. */
function isAcknowledged(result: PostResult): boolean {
  if (result.status !== 200) return false;
  try {
    const parsed: unknown = JSON.parse(result.body);
    return isRecord(parsed) && Number(parsed.result) === 0;
  } catch {
    return false;
  }
}

/**
 * POST a callback; docs/providers/tencent.md §4c: 3 attempts in total. Failure = network error, non-200 or
 * `result` ≠ 0 (what Tencent counts as failure is UNCONFIRMED). Resolves true when acknowledged.
 */
function deliver(
  state: TencentState,
  url: string,
  payload: unknown,
  what: string,
  epoch?: number,
): Promise<boolean> {
  const push: Push = {
    url,
    contentType: "application/json",
    body: JSON.stringify(payload),
    what,
    retryDelaysMs: PUSH_RETRY_DELAYS_MS,
    acknowledged: isAcknowledged,
    refusal: (result) => `not acknowledged (HTTP ${result.status})`,
  };
  return state.push(push, epoch);
}

// ---------------------------------------------------------------------------------------------
// Status reports (docs/providers/tencent.md §4a)

/** Queue a report for every accepted number, due after the report delay. */
export function scheduleReports(
  state: TencentState,
  request: SendRequest,
  numbers: SendNumber[],
  statuses: SendStatus[],
): void {
  const batch = state.nextBatch();
  const dueAt = Date.now() + state.reportDelayMs;
  const reports: PendingReport[] = [];
  numbers.forEach(({ phone }, index) => {
    const status = statuses[index];
    if (!phone || !status || status.Code !== "Ok") return;
    const behaviour = simulatorBehaviour(phone);
    if (behaviour === "silent") return; // "444": accepted, never reported (not even pullable)
    reports.push({
      batch,
      dueAt,
      sdkAppId: request.app.sdkAppId,
      phone,
      serial: status.SerialNo,
      delivered: behaviour === "deliver",
      sessionContext: request.sessionContext,
    });
  });
  state.addPending(reports);
  if (reports.length > 0) {
    state.timers.schedule(state.reportDelayMs, () => flushReports(state, batch));
  }
}

/** Make this batch (and anything else already due) pullable and push it, grouped per app. */
function flushReports(state: TencentState, batch: number): void {
  const due = state.takeDue(batch, Date.now());
  const receivedAt = state.now();
  const byApp = new Map<string, PendingReport[]>();
  for (const report of due) {
    byApp.set(report.sdkAppId, [...(byApp.get(report.sdkAppId) ?? []), report]);
  }
  for (const [sdkAppId, reports] of byApp) {
    state.addPullable(
      sdkAppId,
      reports.map((report) => pullStatus(report, receivedAt)),
    );
    const app = state.apps.get(sdkAppId);
    const url = app?.statusCallbackUrl;
    if (!url) continue;
    for (let i = 0; i < reports.length; i += MAX_REPORTS_PER_PUSH) {
      const items = reports
        .slice(i, i + MAX_REPORTS_PER_PUSH)
        .map((r) => callbackItem(r, receivedAt, app.statusExt === true));
      void deliver(state, url, items, "status report", state.epoch);
    }
  }
}

/** docs/providers/tencent.md §3 PullSmsSendStatusSet entry. */
function pullStatus(report: PendingReport, receivedAt: number): PullStatus {
  return {
    UserReceiveTime: Math.floor(receivedAt / 1000),
    CountryCode: report.phone.countryCode,
    SubscriberNumber: report.phone.national,
    PhoneNumber: report.phone.e164,
    SerialNo: report.serial,
    ReportStatus: report.delivered ? "SUCCESS" : "FAIL",
    Description: report.delivered ? "DELIVRD" : "UNDELIV",
    SessionContext: report.sessionContext,
  };
}

/** docs/providers/tencent.md §4a item; `ext` only where Tencent enabled it for the account. */
function callbackItem(report: PendingReport, receivedAt: number, ext: boolean): Json {
  return {
    ...(ext ? { ext: report.sessionContext } : {}),
    user_receive_time: beijingTime(receivedAt),
    nationcode: report.phone.countryCode,
    mobile: report.phone.national,
    report_status: report.delivered ? "SUCCESS" : "FAIL",
    errmsg: report.delivered ? "DELIVRD" : "UNDELIV",
    description: report.delivered ? "用户短信送达成功" : "用户短信未送达",
    sid: report.serial,
  };
}

// ---------------------------------------------------------------------------------------------
// Replies (docs/providers/tencent.md §4b)

/**
 * The user replies. Tencent has one reply URL per account and its reply names no SdkAppId
 * (docs/providers/tencent.md §4b), so every reply goes to that one URL; the signature is the
 * input's, else that of the last message sent to the number. Rejects with a ControlError
 * when it cannot be pushed or is not acknowledged.
 */
export async function reply(state: TencentState, input: ReplyInput): Promise<void> {
  const phone = parsePhone(input.phone);
  if (!phone) throw new ControlError(400, `cannot parse phone ${input.phone}`);
  const last = state.lastSenderTo(phone.e164);
  const sdkAppId = input.sdkAppId ?? last?.sdkAppId ?? state.apps.keys().next().value;
  const app = sdkAppId === undefined ? undefined : state.apps.get(sdkAppId);
  if (input.sdkAppId !== undefined && !app)
    throw new ControlError(404, `unknown sdkAppId ${input.sdkAppId}`);
  const url = state.replyCallbackUrl;
  if (!url) throw new ControlError(409, "the account has no replyCallbackUrl");
  // docs/providers/tencent.md §4b: a single object, no sid, no SdkAppId.
  const payload = {
    extend: "",
    mobile: phone.national,
    nationcode: phone.countryCode,
    sign: input.sign ?? last?.sign ?? app?.signs?.[0] ?? "",
    text: input.text,
    time: Math.floor(state.now() / 1000),
  };
  if (!(await deliver(state, url, payload, "reply"))) {
    throw new ControlError(502, "the reply callback was not acknowledged");
  }
}
