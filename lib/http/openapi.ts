/**
 * GET /openapi.json: the HTTP API described from the route declarations (lib/http/routes.ts)
 * and the same zod schemas that validate requests. A test checks it covers every route in
 * serverless.yml.
 */
import * as z from "zod/mini";
import type { Route } from "./routes";

const errorEnvelope = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "requestId"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        requestId: { type: "string" },
      },
    },
  },
};

/** The OpenAPI 3.1 document of the given routes (every function's, see lib/api.ts). */
export function openApiDocument(routes: readonly Route[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const query = (r.query ?? []).map((q) => ({
      name: q.replace("!", ""),
      in: "query",
      required: q.endsWith("!"),
      schema: { type: "string" },
    }));
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      "x-access": r.access,
      ...(r.access === "none" || r.access === "token" ? {} : { security: [{ bearer: [] }] }),
      parameters: [...params, ...query],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }),
                },
              },
            },
          }
        : {}),
      responses: {
        [String(r.ok ?? 200)]: { description: "OK" },
        "4XX": {
          description: "A catalogue code and a message that says what to fix",
          content: { "application/json": { schema: errorEnvelope } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "smsgate",
      version: "0.1.0",
      description:
        "Self-hosted SMS control plane in front of Tencent Cloud SMS and Huawei Cloud SMS.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
