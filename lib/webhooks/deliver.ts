/**
 * One webhook attempt: the target is checked again (target.ts), the connection goes to the
 * addresses that check saw (the Host header and TLS name stay the URL's host), redirects are
 * not followed (a 3xx fails the attempt), and time and response size are bounded. A 2xx
 * status acknowledges; the body is read only to drain it. Never throws.
 */
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { signatureHeaders } from "./sign";
import { type CheckedTarget, checkTarget, type TargetPolicy } from "./target";

export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookAttempt {
  url: string;
  secret: string;
  /** Stable across retries of the same event: `webhook-id`. */
  id: string;
  body: string;
  /** The attempt's time (ms since the epoch): `webhook-timestamp`. */
  now: number;
  /** For the whole attempt: DNS, connect, status and body. */
  timeoutMs: number;
  allowLoopback: boolean;
  maxResponseBytes?: number;
  resolve?: TargetPolicy["resolve"];
}

export interface DeliveryResult {
  /** The app acknowledged with a 2xx. */
  ok: boolean;
  status?: number;
  /** What happened, for the logs only: never shown to API callers. */
  reason: string;
}

/** A resolver that answers only with the checked addresses: no second DNS look-up. */
function pinned(addresses: CheckedTarget["addresses"]): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const first = addresses[0] as CheckedTarget["addresses"][number];
    if (options?.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  }) as LookupFunction;
}

function post(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
  ms: number,
  maxBytes: number,
): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    const { url } = target;
    let status: number | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      const ok = status !== undefined && status >= 200 && status < 300;
      resolve({ ok, status, reason: status === undefined ? reason : `${status}; ${reason}` });
    };
    const options: RequestOptions = {
      method: "POST",
      hostname: target.host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      auth: url.username
        ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
        : undefined,
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "smsgate-webhooks",
        ...headers,
      },
      agent: false,
      lookup: pinned(target.addresses),
    };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(options, (res) => {
      status = res.statusCode ?? 0;
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > maxBytes) finish(`response over ${maxBytes} bytes, not read further`);
      });
      res.on("end", () => finish("answered"));
      res.on("error", (err) => finish(err.message));
    });
    timer = setTimeout(() => finish(`no complete answer within ${ms} ms`), ms);
    req.on("error", (err) => finish(err.message));
    req.end(body);
  });
}

export async function deliverWebhook(attempt: WebhookAttempt): Promise<DeliveryResult> {
  const started = Date.now();
  try {
    const checked = await checkTarget(attempt.url, {
      allowLoopback: attempt.allowLoopback,
      timeoutMs: attempt.timeoutMs,
      resolve: attempt.resolve,
    });
    if (!checked.ok) return { ok: false, reason: `target refused: ${checked.reason}` };
    const headers = signatureHeaders(
      attempt.secret,
      attempt.id,
      Math.floor(attempt.now / 1000),
      attempt.body,
    );
    const left = Math.max(1, attempt.timeoutMs - (Date.now() - started));
    return await post(
      checked.target,
      headers,
      attempt.body,
      left,
      attempt.maxResponseBytes ?? MAX_RESPONSE_BYTES,
    );
  } catch (err) {
    return { ok: false, reason: (err as Error).message ?? String(err) };
  }
}
