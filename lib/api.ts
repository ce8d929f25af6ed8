/**
 * Every route of the HTTP API, as each function declares it: what the OpenAPI document
 * describes and what the tests hold against serverless.yml.
 */
import { adminRoutes } from "./admin/routes";
import { replyRoutes, statusRoutes } from "./callbacks/routes";
import { campaignRoutes } from "./campaigns/routes";
import { compatRoutes } from "./compat/routes";
import type { Route } from "./http/routes";
import { sendRoutes } from "./send/routes";

export const API_ROUTES: Route[] = [
  ...sendRoutes,
  ...compatRoutes,
  ...adminRoutes,
  ...statusRoutes,
  ...replyRoutes,
  ...campaignRoutes,
];
