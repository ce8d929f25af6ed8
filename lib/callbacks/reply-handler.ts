/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { replyRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, replyRoutes);
