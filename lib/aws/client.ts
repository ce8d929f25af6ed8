/**
 * One client for the AWS calls smsgate makes: DynamoDB and SQS (the AWS JSON 1.0 protocol),
 * Secrets Manager (1.1) and SES v2's SendEmail (REST-JSON). A JSON-protocol call is a signed
 * POST to "/" naming its operation in X-Amz-Target; a REST call a signed POST to its path.
 * Either way a JSON body in, a JSON body out, an error named by `__type` or x-amzn-ErrorType.
 * Hand-written instead of the AWS SDK because on these paths it is measurably smaller and
 * faster (docs/performance.md, levers; what it leaves out: docs/architecture.md, decisions).
 * Retries follow the SDK's standard mode. The requests go through the one HTTP helper of the
 * vendor adapters too (lib/core/http-request.ts: keep-alive sockets, MAX_SOCKETS per host).
 */
import { httpRequest } from "../core/http-request";
import { type Credentials, sign } from "./sigv4";

export type { Credentials } from "./sigv4";

export interface AwsJsonOptions {
  /** The signing name, and the endpoint's first label: dynamodb, sqs, secretsmanager. */
  service: string;
  /** X-Amz-Target's prefix: DynamoDB_20120810, AmazonSQS, secretsmanager ("" for REST). */
  target: string;
  protocol: "1.0" | "1.1" | "rest-json";
  region: string;
  /** Default https://<service>.<region>.amazonaws.com (SES's is email.<region>…). */
  endpoint?: string;
  /**
   * Fixed ones (local endpoints, tests), or how to get them on the first signed call: the
   * function's role credentials, read from the environment by lib/config (awsCredentials).
   */
  credentials: Credentials | (() => Credentials);
  /** Attempts per call, the first included (the SDK's standard mode: 3). */
  maxAttempts?: number;
  /** Per attempt, from the request's start to the last byte of the answer; none by default. */
  timeoutMs?: number;
}

/** An error AWS answered with, or one on the way there (then `status` is 0). */
export class AwsError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Told of every call once, before its body is made and however many attempts it takes;
 * returns what to do at its end (the request meter, lib/store/meter.ts; bench/wcu.ts).
 */
export type Observer = (
  operation: string,
  input: Record<string, unknown>,
) => (ok: boolean, output?: unknown) => void;

export interface AwsJsonClient {
  // biome-ignore lint/suspicious/noExplicitAny: each caller reads its operation's output shape
  call<T = any>(operation: string, input: object): Promise<T>;
  /** A REST-JSON operation: POST `path`, observed under `operation`. */
  // biome-ignore lint/suspicious/noExplicitAny: as call
  post<T = any>(operation: string, path: string, input: object): Promise<T>;
  observe(observer: Observer): void;
}

// What the SDK's standard retry mode retries (@smithy/service-error-classification).
const THROTTLING = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);
const TRANSIENT = new Set(["RequestTimeout", "RequestTimeoutException", "TimeoutError"]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);

const retryableAnswer = (status: number, name: string) =>
  status === 429 || status >= 500 || THROTTLING.has(name) || TRANSIENT.has(name);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function awsJsonClient(opts: AwsJsonOptions): AwsJsonClient {
  const base = new URL(opts.endpoint ?? `https://${opts.service}.${opts.region}.amazonaws.com`);
  const contentType =
    opts.protocol === "rest-json" ? "application/json" : `application/x-amz-json-${opts.protocol}`;
  const scope = { region: opts.region, service: opts.service };
  const attempts = opts.maxAttempts ?? 3;
  const observers: Observer[] = [];
  let credentials = typeof opts.credentials === "function" ? undefined : opts.credentials;

  async function attempt(path: string, operation: string, body: string): Promise<unknown> {
    credentials ??= (opts.credentials as () => Credentials)();
    const headers = sign(
      path,
      {
        "content-type": contentType,
        host: base.host,
        ...(opts.protocol === "rest-json" ? {} : { "x-amz-target": `${opts.target}.${operation}` }),
      },
      body,
      credentials,
      scope,
      Date.now(),
    );
    let answer: Awaited<ReturnType<typeof httpRequest>>;
    try {
      answer = await httpRequest(`${base.origin}${path}`, {
        method: "POST",
        headers,
        body,
        timeoutMs: opts.timeoutMs,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === "TimeoutError")
        throw new AwsError("TimeoutError", `no answer in ${opts.timeoutMs} ms`, 0, true);
      const code = e.cause?.code ?? e.name;
      throw new AwsError(code, e.message, 0, NETWORK.has(code));
    }
    const { status, text } = answer;
    let json: Record<string, unknown> = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // Not retried: the call may have been applied (a counter added), as with any 200.
      if (status === 200)
        throw new AwsError("SerializationError", "answer is not JSON", 200, false);
    }
    if (status === 200) return json;
    // `__type` is "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" or just
    // the name; the header is "Name:http://…" when the body names none.
    const type = String(json.__type ?? answer.headers["x-amzn-errortype"] ?? `Http${status}`);
    const name = type.split("#").pop()?.split(":")[0] || `Http${status}`;
    const message = String(json.message ?? json.Message ?? `HTTP ${status}`);
    throw new AwsError(name, message, status, retryableAnswer(status, name));
  }

  async function run(operation: string, path: string, input: object) {
    const ends = observers.map((o) => o(operation, input as Record<string, unknown>));
    const body = JSON.stringify(input);
    let ok = false;
    let out: unknown;
    try {
      for (let n = 1; ; n++) {
        try {
          out = await attempt(path, operation, body);
          ok = true;
          // biome-ignore lint/suspicious/noExplicitAny: see AwsJsonClient.call
          return out as any;
        } catch (err) {
          if (!(err instanceof AwsError) || !err.retryable || n >= attempts) throw err;
          // Full jitter on an exponential base of 100 ms, at most 20 s (the SDK's standard mode).
          await sleep(Math.random() * Math.min(20_000, 100 * 2 ** n));
        }
      }
    } finally {
      for (const end of ends) end(ok, out);
    }
  }

  return {
    call: (operation, input) => run(operation, "/", input),
    post: (operation, path, input) => run(operation, path, input),
    observe(observer) {
      observers.push(observer);
    },
  };
}
