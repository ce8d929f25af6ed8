/**
 * The baselines' stand-in for node-fetch v2 (an esbuild alias in bench/run.ts), the recipe
 * issue #15 names: node-fetch → Node's own fetch, without node-fetch → whatwg-url → tr46
 * (≈ 300 KB). smsgate's functions do better (lib/shims/node-fetch.ts: node:http, so a Tencent
 * send never loads fetch's undici). Errors keep node-fetch's messages.
 */
interface NodeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeout?: number;
  signal?: AbortSignal;
}

export default async function fetchShim(
  url: string,
  options: NodeFetchOptions = {},
): Promise<Response> {
  const signals = [
    options.signal,
    options.timeout ? AbortSignal.timeout(options.timeout) : undefined,
  ].filter((s): s is AbortSignal => Boolean(s));
  try {
    return await fetch(url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal: signals.length ? AbortSignal.any(signals) : undefined,
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError")
      throw new Error(`network timeout at: ${url}`);
    const reason = e.cause?.code ? `connect ${e.cause.code}` : (e.cause?.message ?? e.message);
    throw new Error(`request to ${url} failed, reason: ${reason}`);
  }
}
