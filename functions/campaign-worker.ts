/** The campaign queue's consumer (SQS, partial batch responses). */
import { makeHandler } from "../lib/campaigns/worker";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";
import { createSenders } from "../lib/providers/senders";

export const handler = handlerAtInit((config) =>
  makeHandler(createDeps({ config, senders: createSenders })),
);
