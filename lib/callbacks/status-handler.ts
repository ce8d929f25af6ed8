/** POST /callbacks/{provider}/status/{token}: vendor delivery reports. */

import type { Deps } from "../core/deps";
import { httpHandler } from "../http/wrapper";
import { ingestStatusReports } from "./ingest";

export function makeHandler(deps: Deps) {
  return httpHandler(deps, (req) =>
    ingestStatusReports(deps, {
      provider: req.params.provider ?? "",
      token: req.params.token ?? "",
      body: req.body,
      contentType: req.headers["content-type"],
    }),
  );
}
