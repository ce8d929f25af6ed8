/** POST /v1/messages, GET /v1/messages/{id}. */
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { sendRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, sendRoutes);
