/** The webhook queue's consumer (SQS, partial batch responses): delivers outbox events. */
import { makeHandler } from "../lib/callbacks/webhook-worker";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";

export const handler = handlerAtInit((config) => makeHandler(createDeps({ config })));
