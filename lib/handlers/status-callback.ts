/** POST /callbacks/{provider}/status/{token}: vendor delivery reports. */
import { ingestStatusReports } from "../lib/callbacks";
import { createDeps, type Deps } from "../lib/deps";
import { httpHandler } from "../lib/http";

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

export const handler = makeHandler(createDeps());
