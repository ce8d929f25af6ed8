/**
 * The local API Gateway: turns HTTP requests into API Gateway HTTP API (payload v2) events
 * for the real handlers, with the routes read from serverless.yml.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DEFAULT_ROUTE, type HttpRoute } from "./serverless-config";

export type HttpFunction = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

interface Match {
  route: HttpRoute;
  params: Record<string, string>;
  score: number;
}

/**
 * The request's URL. Appended to the origin rather than resolved against it: a path such as
 * "//host/x" is a path here (as API Gateway reads it), not a protocol-relative URL.
 */
function requestUrl(raw: string | undefined, host: string): URL {
  try {
    return new URL(`http://${host}${raw?.startsWith("/") ? raw : `/${raw ?? ""}`}`);
  } catch {
    return new URL(`http://${host}/`);
  }
}

/** API Gateway picks the most specific route: literal segments beat {params}. */
export function matchRoute(routes: HttpRoute[], method: string, path: string): Match | undefined {
  const parts = path.split("/").filter(Boolean);
  let best: Match | undefined;
  for (const route of routes) {
    if (route.path === DEFAULT_ROUTE) continue;
    if (route.method !== method && route.method !== "ANY") continue;
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    let ok = true;
    for (const [i, seg] of pattern.entries()) {
      const actual = parts[i] ?? "";
      const param = /^\{(\w+)\}$/.exec(seg);
      if (param?.[1]) params[param[1]] = actual;
      else if (seg === actual) score += 1;
      else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || score > best.score)) best = { route, params, score };
  }
  const fallback = routes.find((r) => r.path === DEFAULT_ROUTE);
  return best ?? (fallback && { route: fallback, params: {}, score: -1 });
}

/**
 * The body as API Gateway hands it on: text as is, anything else (XLSX, text that is not
 * UTF-8) base64-encoded with `isBase64Encoded`.
 */
async function readBody(req: IncomingMessage): Promise<{ body: string; base64: boolean }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  const type = String(req.headers["content-type"] ?? "");
  const textual = type === "" || /^text\/|json|x-www-form-urlencoded|xml/.test(type);
  if (textual) {
    try {
      return { body: new TextDecoder("utf-8", { fatal: true }).decode(bytes), base64: false };
    } catch {}
  }
  return { body: bytes.toString("base64"), base64: true };
}

export function toEvent(
  req: IncomingMessage,
  body: string,
  match: Match,
  host: string,
  base64 = false,
): APIGatewayProxyEventV2 {
  const url = requestUrl(req.url, host);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
  headers["x-forwarded-proto"] = "http";
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  const routeKey =
    match.route.path === DEFAULT_ROUTE
      ? DEFAULT_ROUTE
      : `${match.route.method} ${match.route.path}`;
  const now = Date.now();
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(match.params).length ? match.params : undefined,
    body: body || undefined,
    isBase64Encoded: base64,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      // Base 36, so the log masking of phone-like digit runs leaves request ids readable.
      requestId: `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey,
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

export interface Router {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Serves the routes on loopback, calling handlers[functionName] for each. */
export async function startRouter(opts: {
  port?: number;
  routes: HttpRoute[];
  handlers: Record<string, HttpFunction>;
}): Promise<Router> {
  const server = createServer(async (req, res) => {
    try {
      const { body, base64 } = await readBody(req);
      const url = requestUrl(req.url, "local");
      const match = matchRoute(opts.routes, req.method ?? "GET", url.pathname);
      const fn = match && opts.handlers[match.route.functionName];
      if (!match || !fn) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Not Found" })); // what API Gateway answers
        return;
      }
      const out = await fn(toEvent(req, body, match, req.headers.host ?? "127.0.0.1", base64));
      res.writeHead(out.statusCode ?? 200, (out.headers ?? {}) as Record<string, string>);
      // Like API Gateway: a base64 body (a gzipped console asset) goes out as its bytes.
      res.end(out.isBase64Encoded ? Buffer.from(out.body ?? "", "base64") : (out.body ?? ""));
    } catch (err) {
      // API Gateway turns a crashed Lambda into this; our wrapper should never let one through.
      console.error("handler crashed", err);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Internal Server Error" }));
    }
  });
  server.keepAliveTimeout = 5000;
  // A busy port rejects (local/start.ts names the variable) instead of an unhandled 'error'.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
