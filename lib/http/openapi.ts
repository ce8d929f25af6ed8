/**
 * GET /openapi.json: the HTTP API described from the route declarations (lib/http/routes.ts)
 * and the same zod schemas that validate requests. A test checks it covers every route in
 * serverless.yml.
 */
import * as z from "zod/mini";
import { COMPONENT_SCHEMAS, OPERATION_IDS, QUERY_SCHEMAS, RESPONSES } from "./responses";
import { type Route, routeKey } from "./routes";

const errorRef = { $ref: "#/components/schemas/Error" };
/** Error answers, shared as components/responses (one copy, referenced by every operation). */
const ERROR_RESPONSES: Record<string, { name: string; description: string }> = {
  "400": {
    name: "BadRequest",
    description: "A catalogue code and a message that says what to fix",
  },
  "401": { name: "Unauthorized", description: "No key, or an unknown one" },
  "403": { name: "Forbidden", description: "The key lacks the scope or tier" },
  "404": { name: "NotFound", description: "Not found, or another app's (which answers the same)" },
  "412": { name: "PreconditionFailed", description: "If-Match no longer matches" },
  "4XX": { name: "ClientError", description: "Another refusal with a catalogue code" },
  "5XX": {
    name: "ServerError",
    description: "InternalError or a vendor fault; the requestId finds it in the logs",
  },
};
const error = (status: string) => ({
  $ref: `#/components/responses/${ERROR_RESPONSES[status]?.name}`,
});

/** Path parameters' formats, where the API fixes one. */
const PATH_SCHEMAS: Record<string, Record<string, unknown>> = {
  provider: { type: "string", enum: ["tencent", "huawei"] },
  phone: { type: "string", description: "E.164 (URL-encoded `+`)" },
  id: { type: "string", minLength: 1, maxLength: 128 },
};

/** The tag of a route: its resource (the last fixed segment that names one). */
function tagOf(path: string): string {
  if (path.startsWith("/callbacks/")) return "callbacks";
  if (!path.startsWith("/v1/")) return "meta";
  const fixed = path.split("/").filter((p) => p && p !== "v1" && !p.startsWith("{"));
  return fixed[fixed.length - 1] ?? "meta";
}

/** The OpenAPI 3.1 document of the given routes (every function's, see lib/api.ts). */
export function openApiDocument(routes: readonly Route[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = routeKey(r);
    const answer = RESPONSES[key];
    if (!answer) throw new Error(`no response schema for ${key} in lib/http/responses.ts`);
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: PATH_SCHEMAS[m[1] as string] ?? { type: "string" },
    }));
    const query = (r.query ?? []).map((q) => ({
      name: q.replace("!", ""),
      in: "query",
      required: q.endsWith("!"),
      schema: QUERY_SCHEMAS[q.replace("!", "")] ?? { type: "string" },
    }));
    const headers = [
      ...(key === "POST /v1/messages"
        ? [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description:
                "1–128 printable ASCII characters, per app, kept 24 h: a repeat answers the first answer and sends nothing",
              schema: { type: "string", minLength: 1, maxLength: 128, pattern: "^[\\x21-\\x7e]+$" },
            },
          ]
        : []),
      ...(r.method === "patch"
        ? [
            {
              name: "If-Match",
              in: "header",
              required: false,
              description: "The ETag of the GET this change is based on; a stale one answers 412",
              schema: { type: "string" },
            },
          ]
        : []),
    ];
    const ok = r.ok ?? 200;
    const isPublic = r.access === "none" || r.access === "token";
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      operationId: OPERATION_IDS[key] ?? key,
      summary: r.summary,
      tags: [tagOf(r.path)],
      "x-access": r.access,
      // Public routes say so; a vendor callback's credential is the token in its path.
      security: isPublic ? [] : [{ bearer: [] }],
      parameters: [...params, ...query, ...headers],
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
        [String(ok)]: {
          description: ok === 204 ? "Done; no body" : r.summary,
          ...(answer.headers
            ? {
                headers: Object.fromEntries(
                  Object.entries(answer.headers).map(([h, schema]) => [h, { schema }]),
                ),
              }
            : {}),
          ...(answer.schema && ok !== 204
            ? { content: { "application/json": { schema: answer.schema } } }
            : {}),
        },
        ...(isPublic
          ? {}
          : {
              "401": error("401"),
              "403": error("403"),
            }),
        "400": error("400"),
        "404": error("404"),
        ...(r.method === "patch" ? { "412": error("412") } : {}),
        "4XX": error("4XX"),
        "5XX": error("5XX"),
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
    tags: [...new Set(routes.map((r) => tagOf(r.path)))].map((name) => ({ name })),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An app key (sgk_…) or the operator key",
        },
      },
      schemas: COMPONENT_SCHEMAS,
      responses: Object.fromEntries(
        Object.values(ERROR_RESPONSES).map(({ name, description }) => [
          name,
          { description, content: { "application/json": { schema: errorRef } } },
        ]),
      ),
    },
    paths,
  };
}
