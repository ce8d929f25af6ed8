/**
 * Bundle-only stand-in for node-fetch v2 (esbuild alias in serverless.yml): the Tencent SDK
 * calls `fetch(url, { method, headers, body, timeout, agent, signal })`; Node's own fetch
 * does the same without node-fetch → whatwg-url → tr46 (≈ 300 KB). Errors keep node-fetch's
 * messages ("network timeout at: …", "request to … failed, reason: …"), which the SDK and
 * our adapter read. The real SDK with this shim is tested against the emulator.
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
