/**
 * One HTTP request over node:http(s) and keep-alive sockets, for every call smsgate makes to
 * AWS (lib/aws/client.ts) and to the vendors: the Tencent SDK (through
 * lib/shims/node-fetch.ts) and the Huawei adapter. Not Node's `fetch`:
 * node:http is loaded in every function anyway, while `fetch` compiles
 * undici on a process's first use, ~25 ms of a cold send (docs/performance.md, levers).
 * Failures look like `fetch`'s, which the adapters map: a timeout or abort is named
 * TimeoutError / AbortError; a network error carries its code as `cause.code`.
 */
import {
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as plainRequest,
} from "node:http";
import { Agent as HttpsAgent, request as tlsRequest } from "node:https";

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The whole body, read within the timeout. */
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** From the start of the request to the answer's last byte. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Sockets per host: the widest fan-out of one request, a 200-recipient send's 201 parallel
 * DynamoDB updates, goes out in one wave instead of the SDK's default 50 at a time
 * (docs/performance.md, parallelism; test/integration/fanout.test.ts).
 */
export const MAX_SOCKETS = 256;

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};

const failure = (name: string, message: string, code?: string) =>
  Object.assign(new Error(message, code ? { cause: { code } } : undefined), { name });

export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const https = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(failure("AbortError", "aborted"));
    let stopped: Error | undefined;
    const req = (https ? tlsRequest : plainRequest)(
      {
        host: target.hostname,
        port: target.port || (https ? 443 : 80),
        path: `${target.pathname}${target.search}`,
        method: options.method ?? "GET",
        headers: {
          ...options.headers,
          ...(options.body !== undefined
            ? { "content-length": String(Buffer.byteLength(options.body)) }
            : {}),
        },
        agent: https ? agents.https : agents.http,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        res.on("end", () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    const stop = (err: Error) => {
      stopped = err;
      req.destroy();
    };
    const timer = options.timeoutMs
      ? setTimeout(
          () => stop(failure("TimeoutError", `no answer in ${options.timeoutMs} ms`)),
          options.timeoutMs,
        )
      : undefined;
    const onAbort = () => stop(failure("AbortError", "aborted"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    function done() {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
    function fail(err: NodeJS.ErrnoException) {
      done();
      reject(stopped ?? failure("NetworkError", err.message, err.code));
    }
    req.on("error", fail);
    req.end(options.body);
  });
}
