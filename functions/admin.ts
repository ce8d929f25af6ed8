/** /v1/apps…: configuration, records lists, statistics, /openapi.json and /console. */
import { makeHandler } from "../lib/admin/handler";
import { createDeps } from "../lib/core/deps";
import { handlerAtInit } from "../lib/core/lazy";

export const handler = handlerAtInit((config) => makeHandler(createDeps({ config })));
