/** POST /v1/messages, GET /v1/messages/{id}. */
import { bearer } from "../auth";
import type { Deps } from "../deps";
import { httpHandler, json, parseBody, validate } from "../http";
import { getMessage, idempotencyKeySchema, sendBodySchema, sendMessages } from "../send";

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
