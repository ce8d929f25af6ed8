/**
 * GET /console: the operator console (docs/console.md), static assets built by
 * `npm run console` into lib/console/assets.json and served by the admin function, so the
 * console is on smsgate's own origin (the API needs no CORS) and needs no other host. The page
 * holds no secret: it signs in with a key the operator types, kept in the tab's session storage.
 */
import { gzipSync } from "node:zlib";
import { AppError } from "../core/errors";
import type { Route } from "../http/routes";
import type { HttpRequest, HttpResponse } from "../http/wrapper";
import assets from "./assets.json";

/**
 * Everything comes from this origin; no inline script or style (the page builds its DOM with
 * textContent and sets styles through CSSOM, which CSP allows), no framing, no form targets.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const gzipped = new Map<string, string>();

/** The body, gzipped when the browser accepts it (API Gateway does not compress). */
function serve(
  req: HttpRequest,
  name: string,
  type: string,
  body: string,
  cache: string,
): HttpResponse {
  const headers = {
    ...SECURITY,
    "content-type": type,
    "cache-control": cache,
    vary: "accept-encoding",
  };
  if (!/\bgzip\b/.test(req.headers["accept-encoding"] ?? ""))
    return { statusCode: 200, headers, body };
  let zipped = gzipped.get(name);
  if (!zipped) {
    zipped = gzipSync(body, { level: 9 }).toString("base64");
    gzipped.set(name, zipped);
  }
  return {
    statusCode: 200,
    headers: { ...headers, "content-encoding": "gzip" },
    body: zipped,
    isBase64Encoded: true,
  };
}

const files = assets.files as Record<string, { type: string; body: string }>;

export const consoleRoutes: Route[] = [
  {
    method: "get",
    path: "/console",
    summary: "The operator console (a web page on this API)",
    access: "none",
    async handle({ req }) {
      return serve(req, "index.html", "text/html; charset=utf-8", assets.html, "no-store");
    },
  },
  {
    method: "get",
    path: "/console/{asset}",
    summary: "The console's script and stylesheet (content-hashed names)",
    access: "none",
    async handle({ req }) {
      const name = req.params.asset ?? "";
      const file = Object.hasOwn(files, name) ? files[name] : undefined;
      if (!file) throw new AppError("ResourceNotFound");
      return serve(req, name, file.type, file.body, "public, max-age=31536000, immutable");
    },
  },
];
