/**
 * Tencent Cloud SMS emulator: speaks the real API 3.0 wire protocol (TC3-signed JSON POST,
 * `{"Response":{…}}` envelope) on loopback, so the unmodified `tencentcloud-sdk-nodejs-sms`
 * client can talk to it with `endpoint: "127.0.0.1:PORT", protocol: "http://"`.
 *
 * Reference: docs/providers/tencent.md (section numbers cited as "docs/providers/tencent.md §n").
 *
 * Vendor API (api.ts): any path, routed on X-TC-Action (SendSms, PullSmsSendStatus); TC3
 * authentication in auth.ts and tc3.ts, request checks in validate.ts, what is held and what
 * one send does in state.ts, Fee in fee.ts, status and reply callbacks in pushes.ts.
 * Control API (control.ts; plain JSON, never faulted): GET /_control/messages,
 * POST /_control/reply, POST /_control/faults, POST /_control/apps, POST /_control/templates,
 * POST /_control/reset.
 */
import { loopbackHost, serveEmulator } from "../emulator-kit/server";
import { handleVendor } from "./api";
import { controlRoutes } from "./control";
import { reply } from "./pushes";
import { TencentState } from "./state";
import type { TencentEmulator, TencentEmulatorOptions } from "./types";

export { parsePhone } from "./phone";
export type {
  ControlMessage,
  ReplyInput,
  TencentEmulator,
  TencentEmulatorApp,
  TencentEmulatorOptions,
  TencentEmulatorTemplate,
  TencentFaultMode,
} from "./types";

export async function startTencentEmulator(
  options: TencentEmulatorOptions,
): Promise<TencentEmulator> {
  const host = loopbackHost("tencent-emulator", options.host);
  const state = new TencentState(options);
  const server = await serveEmulator(state, {
    host,
    port: options.port,
    control: controlRoutes(state),
    vendor: (req, res, body) => handleVendor(state, req, res, body),
  });
  const { endpoint } = server;
  return {
    url: `http://${endpoint}`,
    endpoint,
    port: server.port,
    messages: () => state.messages(),
    setFault: (mode) => state.setFault(mode),
    addApp: (app) => state.addApp(app),
    setReplyUrl: (url) => {
      state.replyCallbackUrl = url;
    },
    addTemplate: (template) => state.addTemplate(template),
    reply: (input) => reply(state, input),
    reset: () => state.reset(),
    close: () => server.close(),
  };
}
