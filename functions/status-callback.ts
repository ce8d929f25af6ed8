/** POST /callbacks/{provider}/status/{token}: vendor delivery reports. */
import { makeHandler } from "../lib/callbacks/status-handler";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";

export const handler = handlerAtInit((config) => makeHandler(createDeps({ config })));
