/** POST /v1/messages, GET /v1/messages/{id}, and the drop-in compatibility routes. */
import { compatRoutes } from "../compat/routes";
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { sendRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, [...sendRoutes, ...compatRoutes]);
