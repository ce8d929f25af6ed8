/** POST /callbacks/{provider}/reply/{token}: replies from handsets. */
import { makeHandler } from "../lib/callbacks/reply-handler";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";

export const handler = handlerAtInit((config) => makeHandler(createDeps({ config })));
