/** The drop-in compatibility routes, served by the send function (docs/api.md). */
import type { Route } from "../http/routes";
import { logtoRoute } from "./logto";
import { tencentRoute } from "./tencent";

export const compatRoutes: Route[] = [tencentRoute, logtoRoute];
