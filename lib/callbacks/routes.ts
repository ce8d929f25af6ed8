/** The vendors' webhooks: delivery reports and replies, each URL carrying the app's token. */
import type { Route, RouteContext } from "../http/routes";
import { ingestReplies, ingestStatusReports } from "./ingest";

const input = ({ req }: RouteContext) => ({
  provider: req.params.provider ?? "",
  token: req.params.token ?? "",
  body: req.body,
  contentType: req.headers["content-type"],
});

export const statusRoutes: Route[] = [
  {
    method: "post",
    path: "/callbacks/{provider}/status/{token}",
    summary: "Vendor delivery reports (Tencent JSON, Huawei form)",
    access: "token",
    handle: (ctx) => ingestStatusReports(ctx.deps, input(ctx)),
  },
];

export const replyRoutes: Route[] = [
  {
    method: "post",
    path: "/callbacks/{provider}/reply/{token}",
    summary: "Vendor reply (MO) pushes",
    access: "token",
    handle: (ctx) => ingestReplies(ctx.deps, input(ctx)),
  },
];
