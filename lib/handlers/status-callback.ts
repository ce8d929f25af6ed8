/** POST /callbacks/{provider}/status/{token}: vendor delivery reports. */
import { ingestStatusReports } from "../callbacks";
import type { Deps } from "../deps";
import { httpHandler } from "../http";

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
