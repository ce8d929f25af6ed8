/** POST /callbacks/{provider}/status/{token}: vendor delivery reports. */
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { statusRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, statusRoutes);
