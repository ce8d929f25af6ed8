/** POST /v1/messages, GET /v1/messages/{id}. */

import type { Deps } from "../core/deps";
import { bearer } from "../http/auth";
import { httpHandler, json, parseBody, validate } from "../http/wrapper";
import { getMessage, idempotencyKeySchema, sendBodySchema, sendMessages } from "./pipeline";

export function makeHandler(deps: Deps) {
  return httpHandler(deps, async (req) => {
    const key = bearer(req.headers);
    if (req.method === "GET") return json(200, await getMessage(deps, key, req.params.id ?? ""));
    const body = parseBody(req, sendBodySchema);
    const idem = req.headers["idempotency-key"];
    const idempotencyKey =
      idem === undefined ? undefined : validate(idempotencyKeySchema, idem, "Idempotency-Key");
    return json(
      200,
      await sendMessages(deps, {
        key,
        body,
        requestId: req.requestId,
        idempotencyKey,
        origin: req.origin,
      }),
    );
  });
}
