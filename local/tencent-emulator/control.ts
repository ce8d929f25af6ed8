/**
 * The Tencent parts of the control API: POST /_control/reply, /_control/apps and
 * /_control/templates. Messages, faults and reset are the kit's (emulator-kit/control.ts).
 */
import {
  ControlError,
  type ControlRoutes,
  optionalStringField,
  requireString,
} from "../emulator-kit/control";
import type { Json } from "../emulator-kit/http";
import { reply } from "./pushes";
import type { TencentState } from "./state";
import type { TencentEmulatorApp, TencentEmulatorTemplate } from "./types";
import { optionalString } from "./validate";

// Ids are read like the vendor API reads them: a number is taken as its decimal string.

function appFromJson(body: Json): TencentEmulatorApp {
  const signs = body.signs;
  if (signs !== undefined && !(Array.isArray(signs) && signs.every((s) => typeof s === "string"))) {
    throw new ControlError(400, "signs must be an array of strings");
  }
  return {
    sdkAppId: requireString(body, "sdkAppId", optionalString),
    statusCallbackUrl: optionalStringField(body, "statusCallbackUrl"),
    replyCallbackUrl: optionalStringField(body, "replyCallbackUrl"),
    statusExt: body.statusExt === true,
    signs: signs as string[] | undefined,
  };
}

function templateFromJson(body: Json): TencentEmulatorTemplate {
  if (typeof body.body !== "string") throw new ControlError(400, "body must be a string");
  if (typeof body.international !== "boolean") {
    throw new ControlError(400, "international must be a boolean");
  }
  return {
    id: requireString(body, "id", optionalString),
    body: body.body,
    international: body.international,
    verification: body.verification === true,
  };
}

export function controlRoutes(state: TencentState): ControlRoutes {
  return {
    reply: (json) =>
      reply(state, {
        phone: requireString(json, "phone", optionalString),
        text: optionalStringField(json, "text") ?? "",
        sign: optionalStringField(json, "sign"),
        sdkAppId: optionalString(json.sdkAppId),
      }),
    posts: new Map([
      ["/_control/apps", (json: Json) => state.addApp(appFromJson(json))],
      [
        "/_control/account",
        (json: Json) => {
          state.replyCallbackUrl = optionalStringField(json, "replyCallbackUrl");
        },
      ],
      ["/_control/templates", (json: Json) => state.addTemplate(templateFromJson(json))],
    ]),
  };
}
