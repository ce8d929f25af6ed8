/**
 * The Huawei parts of the control API: POST /_control/reply, /_control/templates and
 * /_control/senders. Messages, faults and reset are the kit's (emulator-kit/control.ts).
 */
import {
  ControlError,
  type ControlRoutes,
  optionalStringField,
  requireString,
} from "../emulator-kit/control";
import type { Json } from "../emulator-kit/http";
import { reply } from "./pushes";
import type { HuaweiState } from "./state";
import type { HuaweiEmulatorSender, HuaweiEmulatorTemplate } from "./types";

function optionalBoolean(body: Json, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ControlError(400, `${field} must be a boolean`);
  return value;
}

function templateFromJson(body: Json): HuaweiEmulatorTemplate {
  if (typeof body.body !== "string") throw new ControlError(400, "body must be a string");
  return {
    id: requireString(body, "id"),
    body: body.body,
    sender: optionalStringField(body, "sender"),
    universal: optionalBoolean(body, "universal"),
    verification: optionalBoolean(body, "verification"),
  };
}

function senderFromJson(body: Json): HuaweiEmulatorSender {
  return {
    sender: requireString(body, "sender"),
    signature: optionalStringField(body, "signature"),
    international: optionalBoolean(body, "international"),
  };
}

export function controlRoutes(state: HuaweiState): ControlRoutes {
  return {
    reply: (json) =>
      reply(state, {
        phone: requireString(json, "phone"),
        text: optionalStringField(json, "text") ?? "",
        sign: optionalStringField(json, "sign"),
        appKey: optionalStringField(json, "appKey"),
      }),
    posts: new Map([
      ["/_control/templates", (json: Json) => state.addTemplate(templateFromJson(json))],
      ["/_control/senders", (json: Json) => state.addSender(senderFromJson(json))],
    ]),
  };
}
