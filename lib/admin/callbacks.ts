/**
 * GET /v1/callbacks (operator): the deployment's account-level reply URL per provider.
 * Tencent takes one reply URL per account (docs/providers/tencent.md §4b) and its reply names
 * no SdkAppId, so with several apps on one account this is the URL to paste: each reply is
 * routed to the app that last texted the number under that signature (lib/callbacks/ingest.ts).
 */
import { masterSecret } from "../config";
import { accountReplyToken } from "../core/secrets";
import type { Route } from "../http/routes";
import { json } from "../http/wrapper";
import { originOf } from "./access";

export const callbackRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/callbacks",
    summary: "Account-level reply URLs per provider (operator)",
    access: "operator",
    async handle(ctx) {
      const { deps } = ctx;
      const base = originOf(ctx).replace(/\/$/, "");
      const token = accountReplyToken(masterSecret(deps.config));
      const reply = (p: string) => ({ reply: `${base}/callbacks/${p}/reply/${token}` });
      return json(200, { tencent: reply("tencent"), huawei: reply("huawei") });
    },
  },
];
