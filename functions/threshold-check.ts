/** Scheduled (EventBridge): watches every enabled app. */
import { makeHandler } from "../lib/checker/handler";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";
import { createSenders } from "../lib/providers/senders";

export const handler = handlerAtInit((config) =>
  makeHandler(createDeps({ config, senders: createSenders })),
);
