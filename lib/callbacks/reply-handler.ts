/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */

import type { Deps } from "../core/deps";
import { httpHandler } from "../http/wrapper";
import { ingestReplies } from "./ingest";

export function makeHandler(deps: Deps) {
  return httpHandler(deps, (req) =>
    ingestReplies(deps, {
      provider: req.params.provider ?? "",
      token: req.params.token ?? "",
      body: req.body,
      contentType: req.headers["content-type"],
    }),
  );
}
