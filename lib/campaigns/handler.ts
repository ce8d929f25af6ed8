/** /v1/campaigns…, /v1/groups… (the upload parsers live only in this function's bundle). */
import type { Deps } from "../core/deps";
import { dispatch } from "../http/routes";
import { campaignRoutes } from "./routes";

export const makeHandler = (deps: Deps) => dispatch(deps, campaignRoutes);
