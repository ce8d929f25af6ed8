/**
 * GET /openapi.json: the HTTP API described from the same zod schemas that validate requests.
 * A test checks it covers every route in serverless.yml.
 */
import * as z from "zod/mini";
import {
  contactSchema,
  createAppSchema,
  createKeySchema,
  optOutSchema,
  packageSchema,
  patchAppSchema,
  templateSchema,
} from "../admin/schemas";
import { sendBodySchema } from "../send/pipeline";

type Schema = z.ZodMiniType;

interface Route {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  /** "send" | "read" | "admin" | "operator" | "token" (vendor webhooks) | "none". */
  access: string;
  body?: Schema;
  /** Query parameters; a trailing "!" marks a required one. */
  query?: string[];
  ok?: number;
}

export const ROUTES: Route[] = [
  {
    method: "post",
    path: "/v1/messages",
    summary: "Send a templated SMS to 1–200 numbers",
    access: "send",
    body: sendBodySchema,
  },
  {
    method: "get",
    path: "/v1/messages",
    summary: "One number's records, newest first",
    access: "read",
    query: ["phone!", "from", "to", "limit", "cursor", "appId"],
  },
  { method: "get", path: "/v1/messages/{id}", summary: "One message record", access: "read" },
  {
    method: "get",
    path: "/v1/replies",
    summary: "One number's replies, newest first",
    access: "read",
    query: ["phone!", "from", "to", "limit", "appId"],
  },
  {
    method: "get",
    path: "/v1/stats",
    summary: "Statistics by day, template or country",
    access: "read",
    query: ["from!", "to!", "groupBy", "appId"],
  },
  { method: "get", path: "/v1/apps", summary: "List apps", access: "operator" },
  {
    method: "post",
    path: "/v1/apps",
    summary: "Create an app (returns its first API key once)",
    access: "operator",
    body: createAppSchema,
    ok: 201,
  },
  {
    method: "get",
    path: "/v1/apps/{appId}",
    summary: "An app's configuration and callback URLs",
    access: "read",
  },
  {
    method: "patch",
    path: "/v1/apps/{appId}",
    summary: "Change an app's settings",
    access: "admin",
    body: patchAppSchema,
  },
  { method: "get", path: "/v1/apps/{appId}/templates", summary: "List templates", access: "read" },
  {
    method: "put",
    path: "/v1/apps/{appId}/templates/{id}",
    summary: "Create or replace a template",
    access: "admin",
    body: templateSchema,
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/signatures/{name}",
    summary: "Approve a signature",
    access: "admin",
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/keys",
    summary: "List API keys (never secrets)",
    access: "admin",
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/keys",
    summary: "Create an API key (shown once)",
    access: "admin",
    body: createKeySchema,
    ok: 201,
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/keys/{id}",
    summary: "Revoke an API key",
    access: "admin",
    ok: 204,
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/whitelist",
    summary: "Numbers exempt from frequency limits",
    access: "read",
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/whitelist/{phone}",
    summary: "Exempt a number from frequency limits (≤ 300)",
    access: "admin",
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/whitelist/{phone}",
    summary: "Remove a number from the whitelist",
    access: "admin",
    ok: 204,
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/opt-outs",
    summary: "Opted-out numbers",
    access: "read",
    query: ["limit", "cursor"],
  },
  {
    method: "post",
    path: "/v1/apps/{appId}/opt-outs",
    summary: "Opt a number out (with consent)",
    access: "admin",
    body: optOutSchema,
    ok: 201,
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/opt-outs/{phone}",
    summary: "A number's opt-outs and audit trail",
    access: "read",
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/opt-outs/{phone}",
    summary: "Remove an opt-out (audited)",
    access: "admin",
    query: ["sign"],
    ok: 204,
  },
  { method: "get", path: "/v1/apps/{appId}/contacts", summary: "Alert contacts", access: "read" },
  {
    method: "put",
    path: "/v1/apps/{appId}/contacts/{id}",
    summary: "Add or replace an alert contact (≤ 5)",
    access: "admin",
    body: contactSchema,
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/contacts/{id}",
    summary: "Remove an alert contact",
    access: "admin",
    ok: 204,
  },
  { method: "get", path: "/v1/apps/{appId}/alerts", summary: "Alert history", access: "read" },
  {
    method: "get",
    path: "/v1/apps/{appId}/package",
    summary: "Prepaid package: purchased and remaining",
    access: "read",
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/package",
    summary: "Set the prepaid package",
    access: "admin",
    body: packageSchema,
  },
  {
    method: "post",
    path: "/callbacks/{provider}/status/{token}",
    summary: "Vendor delivery reports (Tencent JSON, Huawei form)",
    access: "token",
  },
  {
    method: "post",
    path: "/callbacks/{provider}/reply/{token}",
    summary: "Vendor reply (MO) pushes",
    access: "token",
  },
  { method: "get", path: "/openapi.json", summary: "This document", access: "none" },
];

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

/** The OpenAPI 3.1 document. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
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
