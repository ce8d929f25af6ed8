/**
 * Writes lib/http/openapi.json, the OpenAPI document of every route, generated from the
 * route declarations and their zod schemas (lib/api.ts). The admin function serves this
 * file, so it does not bundle every other function's code to describe it; a unit test
 * checks it is current — run `npm run openapi` after changing a route or a schema.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { API_ROUTES } from "../lib/api";
import { openApiDocument } from "../lib/http/openapi";

export const SERVER_PLACEHOLDER = "https://smsgate.example";

export function generate(): string {
  return `${JSON.stringify(openApiDocument(API_ROUTES, SERVER_PLACEHOLDER), null, 2)}\n`;
}

if (process.argv[1]?.endsWith("openapi.ts")) {
  writeFileSync(join(import.meta.dirname, "../lib/http/openapi.json"), generate());
}
