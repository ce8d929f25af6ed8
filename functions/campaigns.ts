/** /v1/campaigns…, /v1/groups…: create, upload, start, pause, resume, cancel, results. */
import { makeHandler } from "../lib/campaigns/handler";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";

export const handler = handlerAtInit((config) => makeHandler(createDeps({ config })));
