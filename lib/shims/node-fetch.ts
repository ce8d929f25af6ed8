/**
 * Bundle-only stand-in for node-fetch v2 (esbuild alias in serverless.yml). The Tencent SDK
 * calls `fetch(url, { method, headers, body, timeout, agent, signal })` and reads `status`,
 * `statusText`, `headers.get()` and `json()` of the answer; lib/core/http-request.ts serves
 * it over node:http, so a Tencent send never loads Node's fetch and nothing of node-fetch →
 * whatwg-url → tr46 (≈ 300 KB) is bundled. Errors keep node-fetch's messages ("network
 * timeout at: …", "request to … failed, reason: …", "invalid json response body at …"), which
 * lib/providers/tencent.ts reads. The bundled SDK with this shim is tested against the
 * emulator (test/integration/bundles.test.ts).
 */
import { httpRequest } from "../core/http-request";

interface NodeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeout?: number;
  signal?: AbortSignal;
}

class FetchError extends Error {
  override name = "FetchError";
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

export default async function fetchShim(url: string, options: NodeFetchOptions = {}) {
  let answer: Awaited<ReturnType<typeof httpRequest>>;
  try {
    answer = await httpRequest(url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      timeoutMs: options.timeout,
      signal: options.signal,
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError")
      throw new FetchError(`network timeout at: ${url}`, "request-timeout");
    const reason = e.cause?.code ? `connect ${e.cause.code}` : e.message;
    throw new FetchError(`request to ${url} failed, reason: ${reason}`, "system");
  }
  const { status, statusText, headers, text } = answer;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    url,
    headers: {
      get: (name: string) => {
        const v = headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : String(v);
      },
    },
    text: async () => text,
    json: async () => {
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new FetchError(
          `invalid json response body at ${url} reason: ${(err as Error).message}`,
          "invalid-json",
        );
      }
    },
  };
}
