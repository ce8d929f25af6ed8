/**
 * /v1/apps…: configuration (operator key, or an app key with `admin`); records lists and
 * statistics (scope `read`); /openapi.json.
 */
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { adminRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, adminRoutes);
