/**
 * The one HTTP wrapper (API Gateway HTTP API, payload v2): body parsing, zod validation,
 * error → envelope mapping and the request log line. Handlers hold business intent only.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod/v4/core";
import type { Clock } from "../core/clock";
import { AppError } from "../core/errors";
import { ulid } from "../core/ids";
import type { Logger } from "../core/log";

export interface HttpRequest {
  method: string;
  path: string;
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** The body's bytes as sent (uploads: XLSX, GBK-encoded CSV). */
  bodyBytes: Buffer;
  requestId: string;
  /** "https://api.example.com" as the caller reached us. */
  origin: string;
}

export interface HttpResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  /** The body is base64 of bytes (a gzipped console asset, lib/console/routes.ts). */
  isBase64Encoded?: boolean;
}

export function json(
  statusCode: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  };
}

export function errorResponse(err: AppError, requestId: string): HttpResponse {
  return json(err.status, { error: { code: err.code, message: err.message, requestId } });
}

/** Parses a JSON body against a schema; the 400's message names the field to fix. */
export function parseBody<S extends z.$ZodType>(req: HttpRequest, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = req.body === "" ? undefined : JSON.parse(req.body);
  } catch {
    throw new AppError(
      "FailedOperation.JsonParseFail",
      "The body is not valid JSON; send a JSON object.",
    );
  }
  return validate(schema, raw ?? {});
}

/** Validates any value; the message says which field is wrong and how. */
export function validate<S extends z.$ZodType>(schema: S, value: unknown, where = ""): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [where, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".") || "body";
  // Strict objects name the fields they do not know (docs/api.md "Conventions").
  const message =
    issue?.code === "unrecognized_keys"
      ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
      : (issue?.message ?? "invalid");
  throw new AppError("InvalidParameter", `${field}: ${message}`);
}

function toRequest(event: APIGatewayProxyEventV2, clock: Clock): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {}))
    if (v !== undefined) headers[k.toLowerCase()] = v;
  const bodyBytes = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8")
    : Buffer.alloc(0);
  const body = event.body ? (event.isBase64Encoded ? bodyBytes.toString("utf8") : event.body) : "";
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {}))
    if (v !== undefined) query[k] = v;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {}))
    if (v !== undefined) params[k] = v;
  const proto = headers["x-forwarded-proto"] ?? "https";
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    routeKey: event.routeKey,
    params,
    query,
    headers,
    body,
    bodyBytes,
    requestId: ulid(clock.now()),
    origin: `${proto}://${event.requestContext.domainName ?? headers.host}`,
  };
}

/** The longest path parameter smsgate accepts: ids, names and numbers are all far shorter. */
const MAX_PARAM = 128;

/**
 * Decodes path parameters in place. A malformed %-escape or an over-long value is the caller's
 * mistake (400), refused before anything reaches DynamoDB (whose keys have size limits).
 */
function decodeParams(params: Record<string, string>): void {
  for (const [k, v] of Object.entries(params)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(v);
    } catch {
      throw new AppError("InvalidParameter", `${k}: not a valid URL path segment (bad %-escape).`);
    }
    if (decoded.length > MAX_PARAM)
      throw new AppError("InvalidParameter", `${k}: at most ${MAX_PARAM} characters.`);
    params[k] = decoded;
  }
}

/** Wraps a route function into a Lambda handler. */
export function httpHandler(
  deps: { clock: Clock; log: Logger },
  route: (req: HttpRequest) => Promise<HttpResponse>,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const started = performance.now();
    const req = toRequest(event, deps.clock);
    let res: HttpResponse;
    try {
      decodeParams(req.params);
      res = await route(req);
    } catch (err) {
      if (err instanceof AppError) {
        res = errorResponse(err, req.requestId);
      } else {
        // Anything unexpected: log it whole, show nothing of it.
        deps.log.error("unhandled", {
          requestId: req.requestId,
          route: req.routeKey,
          err: err as Error,
          stack: (err as Error)?.stack,
        });
        res = errorResponse(new AppError("InternalError"), req.requestId);
      }
    }
    deps.log.info("request", {
      requestId: req.requestId,
      awsRequestId: event.requestContext.requestId,
      route: req.routeKey,
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
    });
    return {
      statusCode: res.statusCode,
      headers: { "x-request-id": req.requestId, ...res.headers },
      body: res.body,
      ...(res.isBase64Encoded ? { isBase64Encoded: true } : {}),
    };
  };
}
