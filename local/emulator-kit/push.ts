/**
 * Callback pushes: one POST per attempt, retried after each configured pause until the
 * vendor-specific acknowledgement rule is met, the emulator closes or the push goes stale.
 */
import http from "node:http";
import https from "node:https";
import type { Timers } from "./timers";

const PUSH_TIMEOUT_MS = 5000;

export interface PostResult {
  status: number;
  body: string;
}

/** POST without keep-alive (agent: false) so nothing lingers after close(). */
function post(
  url: string,
  contentType: string,
  body: string,
  signal: AbortSignal,
): Promise<PostResult> {
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: "POST",
        agent: false,
        signal,
        timeout: PUSH_TIMEOUT_MS,
        headers: { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("callback push timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

export interface Push {
  url: string;
  contentType: string;
  body: string;
  /** What is pushed, for the log ("status report", "reply"). */
  what: string;
  /** Pauses before the second, third, … attempt; the first goes at once. */
  retryDelaysMs: readonly number[];
  /** Whether an answer acknowledges the push. */
  acknowledged: (result: PostResult) => boolean;
  /** Log text for an answer that does not (follows "push #n "). */
  refusal: (result: PostResult) => string;
}

/** Who pushes: the emulator's name (starts each log line), its log and its timers. */
export interface Pusher {
  readonly name: string;
  readonly log: (line: string) => void;
  readonly timers: Timers;
}

/**
 * POST a callback, retrying after each of `retryDelaysMs`. Resolves true once acknowledged;
 * false when no attempt was, the emulator closed, or `stale()` turned true before an attempt.
 */
export async function pushWithRetries(
  pusher: Pusher,
  push: Push,
  stale: () => boolean,
): Promise<boolean> {
  const { name, log, timers } = pusher;
  const delays = [0, ...push.retryDelaysMs];
  for (const [attempt, delay] of delays.entries()) {
    if (delay > 0 && !(await timers.wait(delay))) return false;
    if (timers.closed || stale()) return false;
    const attemptName = `${name}: ${push.what} push #${attempt + 1}`;
    try {
      const result = await post(push.url, push.contentType, push.body, timers.signal);
      if (push.acknowledged(result)) {
        log(`${name}: ${push.what} pushed to ${push.url}`);
        return true;
      }
      log(`${attemptName} ${push.refusal(result)}`);
    } catch (error) {
      log(`${attemptName} failed: ${(error as Error).message}`);
    }
  }
  return false;
}
