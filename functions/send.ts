/** POST /v1/messages, GET /v1/messages/{id}, POST / (Tencent-compatible), POST /v1/compat/logto. */
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";
import { createSenders } from "../lib/providers/senders";
import { makeHandler } from "../lib/send/handler";

export const handler = handlerAtInit((config) =>
  makeHandler(createDeps({ config, senders: createSenders })),
);
