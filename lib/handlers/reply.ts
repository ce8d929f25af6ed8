/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import { ingestReplies } from "../lib/callbacks";
import { createDeps, type Deps } from "../lib/deps";
import { httpHandler } from "../lib/http";

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

export const handler = makeHandler(createDeps());
