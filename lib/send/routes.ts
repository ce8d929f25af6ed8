/** The send function's routes: send, and read one record back. */

import { bearer } from "../http/auth";
import type { Route } from "../http/routes";
import { json, parseBody, validate } from "../http/wrapper";
import { getMessage, idempotencyKeySchema, sendBodySchema, sendMessages } from "./pipeline";

export const sendRoutes: Route[] = [
  {
    method: "post",
    path: "/v1/messages",
    summary: "Send a templated SMS to 1–200 numbers",
    access: "send",
    body: sendBodySchema,
    authenticatesItself: true,
    async handle({ deps, req }) {
      const key = bearer(req.headers);
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
    },
  },
  {
    method: "get",
    path: "/v1/messages/{id}",
    summary: "One message record",
    access: "read",
    authenticatesItself: true,
    async handle({ deps, req }) {
      return json(200, await getMessage(deps, bearer(req.headers), req.params.id ?? ""));
    },
  },
];
