/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import { ingestReplies } from "../callbacks";
import type { Deps } from "../deps";
import { httpHandler } from "../http";

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
