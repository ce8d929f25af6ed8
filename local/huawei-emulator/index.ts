/**
 * Huawei Cloud MSGSMS emulator: speaks the real `batchSendSms` wire protocol (X-WSSE headers,
 * form-encoded body, `{code, description, result}` answers) on loopback, so the production
 * adapter (lib/providers/huawei.ts) can talk to it unmodified with `endpoint: emulator.url`.
 *
 * Reference: docs/providers/huawei.md (cited as "docs/providers/huawei.md §n"). Where docs/providers/huawei.md leaves
 * something open, the choice is marked "Inferred" or "UNCONFIRMED" next to the code that
 * makes it.
 *
 * Vendor API (api.ts): POST /sms/batchSendSms/v1; X-WSSE authentication in auth.ts and
 * wsse.ts, request checks in validate.ts, what is held and what one send does in state.ts,
 * status and reply callbacks in pushes.ts.
 * Control API (control.ts; plain JSON, never faulted): GET /_control/messages,
 * POST /_control/reply, POST /_control/faults, POST /_control/templates,
 * POST /_control/senders, POST /_control/reset.
 */
import { loopbackHost, serveEmulator } from "../emulator-kit/server";
import { handleVendor, JSON_TYPE } from "./api";
import { controlRoutes } from "./control";
import { reply } from "./pushes";
import { HuaweiState } from "./state";
import type { HuaweiEmulator, HuaweiEmulatorOptions } from "./types";

export type {
  ControlMessage,
  HuaweiEmulator,
  HuaweiEmulatorCredential,
  HuaweiEmulatorOptions,
  HuaweiEmulatorSender,
  HuaweiEmulatorTemplate,
  HuaweiFaultMode,
  ReplyInput,
} from "./types";

export async function startHuaweiEmulator(options: HuaweiEmulatorOptions): Promise<HuaweiEmulator> {
  const host = loopbackHost("huawei-emulator", options.host);
  const state = new HuaweiState(options);
  const server = await serveEmulator(state, {
    host,
    port: options.port,
    jsonType: JSON_TYPE,
    control: controlRoutes(state),
    vendor: (req, res, body) => handleVendor(state, req, res, body),
  });
  const url = `http://${server.endpoint}`;
  return {
    url,
    port: server.port,
    messages: () => state.messages(),
    setFault: (mode) => state.setFault(mode),
    addTemplate: (template) => state.addTemplate(template),
    addSender: (sender) => state.addSender(sender),
    setReplyUrl: (appKey, replyUrl) => state.setReplyUrl(appKey, replyUrl),
    reply: (input) => reply(state, input),
    reset: () => state.reset(),
    close: () => server.close(),
  };
}
