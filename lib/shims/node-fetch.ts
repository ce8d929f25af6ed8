/**
 * Bundle-only stand-in for node-fetch v2 (esbuild alias in serverless.yml). The Tencent SDK
 * calls `fetch(url, { method, headers, body, timeout, agent, signal })` and reads `status`,
 * `statusText`, `headers.get()` and `json()` of the answer. Served by node:http(s), which
 * every function has loaded already (lib/aws/client.ts), over keep-alive sockets: a Tencent
 * send then never loads Node's fetch (undici, ~25 ms to compile on a process's first use,
 * docs/performance.md, levers), and nothing of node-fetch → whatwg-url → tr46 (≈ 300 KB) is
 * bundled. Errors keep node-fetch's messages ("network timeout at: …", "request to … failed,
 * reason: …", "invalid json response body at …"), which lib/providers/tencent.ts reads. The
 * bundled SDK with this shim is tested against the emulator (test/integration/bundles.test.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

interface NodeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeout?: number;
  signal?: AbortSignal;
}

/** What the SDK reads of node-fetch's Response. */
export interface ShimResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

class FetchError extends Error {
  override name = "FetchError";
  constructor(
    message: string,
    readonly type: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export default function fetchShim(
  url: string,
  options: NodeFetchOptions = {},
): Promise<ShimResponse> {
  const target = new URL(url);
  const https = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted)
      return reject(new FetchError(`network timeout at: ${url}`, "aborted"));
    const body = options.body ?? "";
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: target.hostname,
        port: target.port || (https ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        method: options.method ?? "GET",
        headers: {
          ...options.headers,
          ...(options.body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}),
        },
        agent: https ? agents.https : agents.http,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => fail(err));
        res.on("end", () => {
          done();
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? "",
            url,
            headers: {
              get: (name) => {
                const v = res.headers[name.toLowerCase()];
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
          });
        });
      },
    );
    let timedOut = false;
    const timer = options.timeout
      ? setTimeout(() => {
          timedOut = true;
          req.destroy();
        }, options.timeout)
      : undefined;
    const onAbort = () => {
      timedOut = true;
      req.destroy();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: NodeJS.ErrnoException) => {
      done();
      reject(
        timedOut
          ? new FetchError(`network timeout at: ${url}`, "request-timeout")
          : new FetchError(
              `request to ${url} failed, reason: ${err.code ? `connect ${err.code}` : err.message}`,
              "system",
              err.code,
            ),
      );
    };
    req.on("error", fail);
    req.end(options.body);
  });
}
