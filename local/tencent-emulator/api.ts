/**
 * The vendor API: any path, routed on X-TC-Action (SendSms, PullSmsSendStatus), answered in
 * the `{"Response":{…}}` envelope with a RequestId — after the fault mode had its say
 * (docs/providers/tencent.md §1, §3, §7; cited below as "docs/providers/tencent.md §n").
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerFault } from "../emulator-kit/faults";
import { firstHeader, type Json, sendJson } from "../emulator-kit/http";
import { authenticate } from "./auth";
import { scheduleReports } from "./pushes";
import type { TencentState } from "./state";
import {
  ApiError,
  checkTemplateParams,
  parseParams,
  readPullLimit,
  readSendSms,
  requireAction,
  requireApp,
  requirePost,
} from "./validate";

/**
 * Vendor API with the configured fault applied. Always HTTP 200 (docs/providers/tencent.md §7.4); the
 * request's X-TC-TraceId is echoed, which the SDK reports as `.traceId` (docs/providers/tencent.md §2.5).
 */
export function handleVendor(
  state: TencentState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) {
  const fault = state.faultMode;
  if (answerFault(res, fault)) return;
  const response = processVendorRequest(state, req, body);
  // "timeout": the request was processed (and a send accepted) but the client never hears.
  if (fault === "timeout") return state.timers.holdResponse(res);
  const traceId = firstHeader(req.headers, "x-tc-traceid");
  const extra = traceId ? { "X-TC-TraceId": traceId } : {};
  sendJson(res, 200, { Response: response }, "application/json", extra);
}

/** Authenticate, then route on X-TC-Action. Returns the `Response` object. */
function processVendorRequest(state: TencentState, req: IncomingMessage, body: Buffer): Json {
  const requestId = randomUUID();
  try {
    const result = dispatch(state, req, body);
    return { ...result, RequestId: requestId };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    state.log(`tencent-emulator: error ${error.code}: ${error.message}`);
    return { Error: { Code: error.code, Message: error.message }, RequestId: requestId };
  }
}

function dispatch(state: TencentState, req: IncomingMessage, body: Buffer): Json {
  // docs/providers/tencent.md §2.4 / §7.3: authentication comes first.
  const auth = authenticate(req, body, state.secretKeys, state.now());
  if (!auth.ok) throw new ApiError(auth.code, auth.message);
  const handler = actionHandler(state, requireAction(req));
  requirePost(req);
  return handler(parseParams(body));
}

function actionHandler(state: TencentState, action: string): (params: Json) => Json {
  switch (action) {
    case "SendSms":
      return (params) => sendSms(state, params);
    case "PullSmsSendStatus":
      return (params) => pullSmsSendStatus(state, params);
    default:
      throw new ApiError("InvalidAction", `The action ${action} is not supported by the emulator.`);
  }
}

/** docs/providers/tencent.md §1 SendSms and §7.5. */
function sendSms(state: TencentState, params: Json): Json {
  const { request, numbers } = readSendSms(state, params);
  const at = new Date(state.now()).toISOString();
  const paramProblem = checkTemplateParams(request.template, request.params);
  const statuses = numbers.map(({ raw, phone }) =>
    state.sendOne(request, raw, phone, paramProblem, at),
  );
  scheduleReports(state, request, numbers, statuses);
  return { SendStatusSet: statuses };
}

/** docs/providers/tencent.md §3 PullSmsSendStatus: each status is returned once, oldest first. */
function pullSmsSendStatus(state: TencentState, params: Json): Json {
  const limit = readPullLimit(params);
  const app = requireApp(state, params.SmsSdkAppId);
  return { PullSmsSendStatusSet: state.takePullable(app.sdkAppId, limit) };
}
