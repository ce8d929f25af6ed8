/** The served OpenAPI document is generated from the route declarations (npm run openapi). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
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

  it("is a valid OpenAPI 3.1 document (a real validator, 0 errors)", async () => {
    const result = await new Validator().validate(JSON.parse(generate()));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every operation: id, tag, success schema, errors incl. 5xx, security", () => {
    const doc = JSON.parse(generate());
    const ids = new Set<string>();
    for (const r of API_ROUTES) {
      const op = doc.paths[r.path][r.method];
      const key = routeKey(r);
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(op.operationId);
      expect(op.tags, key).toHaveLength(1);
      const ok = op.responses[String(r.ok ?? 200)];
      if ((r.ok ?? 200) !== 204 && r.access !== "token")
        expect(ok.content["application/json"].schema, key).toBeDefined();
      expect(op.responses["5XX"].$ref, key).toBe("#/components/responses/ServerError");
      const isPublic = r.access === "none" || r.access === "token";
      expect(op.security, key).toEqual(isPublic ? [] : [{ bearer: [] }]);
    }
    expect(ids.size).toBe(API_ROUTES.length);
    expect(doc.components.responses.ServerError.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/Error",
    );
    const send = doc.paths["/v1/messages"].post;
    expect(send.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    expect(
      doc.paths["/v1/apps/{appId}"].patch.parameters.map((p: { name: string }) => p.name),
    ).toContain("If-Match");
    expect(doc.components.schemas.Message.properties.segments.type).toBe("integer");
    expect(doc.components.schemas.Message.properties.status.enum).toContain("delivered");
  });
});
