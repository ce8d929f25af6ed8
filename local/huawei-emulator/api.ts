/**
 * The vendor API: POST /sms/batchSendSms/v1 (one content, form-encoded) and
 * /sms/batchSendDiffSms/v1 (content per group of numbers, JSON), both under X-WSSE; anything
 * else is 404, as Huawei answers a wrongly joined access address (docs/providers/huawei.md §1).
 * Answered `{code, description, result}` — after the fault mode had its say. Cited below as
 * "docs/providers/huawei.md §n".
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerFault } from "../emulator-kit/faults";
import { type Json, sendJson, sendText } from "../emulator-kit/http";
import { authenticate } from "./auth";
import { parsePhone } from "./phone";
import { type PendingReport, queueReport, scheduleReports } from "./pushes";
import type { HuaweiState } from "./state";
import {
  ApiError,
  parseDiffBody,
  parseSendForm,
  REQUEST_ERRORS,
  requireForm,
  requireJson,
  type SendForm,
  STATUS,
} from "./validate";

const SEND_PATH = "/sms/batchSendSms/v1";
const DIFF_PATH = "/sms/batchSendDiffSms/v1";
/** docs/providers/huawei.md §2.3: answers are `application/json;charset=UTF-8`. */
export const JSON_TYPE = "application/json;charset=UTF-8";

/** Vendor API with the configured fault applied; the path is checked first. */
export function handleVendor(
  state: HuaweiState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "POST" || (path !== SEND_PATH && path !== DIFF_PATH)) {
    return sendText(res, 404, "text/plain", "Not Found");
  }
  const fault = state.faultMode;
  if (answerFault(res, fault)) return;
  const [status, payload] = processVendorRequest(state, req, body);
  // "timeout": the request was processed (and a send accepted) but the client never hears.
  if (fault === "timeout") return state.timers.holdResponse(res);
  sendJson(res, status, payload, JSON_TYPE);
}

/** Routes, authenticates, validates and sends; returns HTTP status and JSON body. */
function processVendorRequest(
  state: HuaweiState,
  req: IncomingMessage,
  body: Buffer,
): [number, Json] {
  try {
    return dispatch(state, req, body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    state.log(`huawei-emulator: ${error.message}`);
    return [error.status, { code: error.wireCode, description: error.description }];
  }
}

function dispatch(state: HuaweiState, req: IncomingMessage, body: Buffer): [number, Json] {
  // docs/providers/huawei.md §2.1: authentication first, then the Content-Type check (E000040).
  const auth = authenticate(req, state.credentials, state.now());
  if (!auth.ok) {
    state.log(`huawei-emulator: auth ${auth.code}: ${auth.description}`);
    return [auth.status, { code: auth.code, description: auth.description }];
  }
  if ((req.url ?? "/").split("?")[0] === DIFF_PATH) {
    requireJson(req.headers["content-type"]);
    return batchSend(state, parseDiffBody(body), auth.appKey);
  }
  requireForm(req.headers["content-type"]);
  return batchSend(state, [parseSendForm(body)], auth.appKey);
}

/**
 * docs/providers/huawei.md §2.1–§2.3: one SmsID per (de-duplicated) number of each content,
 * in order — batchSendSms is one content, batchSendDiffSms several. Each content is checked
 * (sender, template, params) as its own request would be.
 */
function batchSend(state: HuaweiState, forms: SendForm[], appKey: string): [number, Json] {
  const now = state.now();
  const pending: PendingReport[] = [];
  const result = forms.flatMap((form) => {
    const context = state.sendContext(form, appKey, now);
    return form.numbers.map((raw) => {
      const phone = parsePhone(raw);
      const item = state.sendOne(context, raw, phone);
      if (phone) queueReport(context, phone, item, pending);
      return item;
    });
  });
  scheduleReports(state, pending);
  // Inferred (docs/providers/huawei.md §2.3/§2.4): "000000" when anything was accepted; when every number
  // failed, E000510 "see status" (a 400-group code) with the per-number result kept.
  if (result.some((item) => item.status === STATUS.ok)) {
    return [200, { code: "000000", description: "Success", result }];
  }
  const [status, description] = REQUEST_ERRORS.E000510;
  return [status, { code: "E000510", description, result }];
}
