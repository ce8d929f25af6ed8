/** Every route the admin function serves, from the modules that declare them. */
import { consoleRoutes } from "../console/routes";
import type { Route } from "../http/routes";
import { appRoutes } from "./apps";
import { callbackTokenRoutes } from "./callback-tokens";
import { callbackRoutes } from "./callbacks";
import { contactRoutes } from "./contacts";
import { keyRoutes } from "./keys";
import { optOutRoutes, whitelistRoutes } from "./lists";
import { openApiRoutes } from "./openapi";
import { packageRoutes } from "./package";
import { recordRoutes } from "./records";
import { statsRoutes } from "./stats";
import { templateRoutes } from "./templates";

export const adminRoutes: Route[] = [
  ...appRoutes,
  ...callbackTokenRoutes,
  ...templateRoutes,
  ...keyRoutes,
  ...whitelistRoutes,
  ...optOutRoutes,
  ...contactRoutes,
  ...packageRoutes,
  ...recordRoutes,
  ...statsRoutes,
  ...openApiRoutes,
  ...callbackRoutes,
  ...consoleRoutes,
];
