/** The served OpenAPI document is generated from the route declarations (npm run openapi). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_ROUTES } from "../../lib/api";
import { routeKey } from "../../lib/http/routes";
import { generate } from "../../scripts/openapi";

describe("the OpenAPI document", () => {
  it("is current with the routes and schemas (run npm run openapi if not)", () => {
    const committed = readFileSync(
      join(import.meta.dirname, "../../lib/http/openapi.json"),
      "utf8",
    );
    expect(committed).toBe(generate());
  });

  it("declares every route once, with the access its dispatcher enforces", () => {
    const keys = API_ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const doc = JSON.parse(generate());
    for (const r of API_ROUTES)
      expect(doc.paths[r.path][r.method]["x-access"], routeKey(r)).toBe(r.access);
  });
});
