/**
 * One client for the AWS calls smsgate makes: DynamoDB and SQS (the AWS JSON 1.0 protocol),
 * Secrets Manager (1.1) and SES v2's SendEmail (REST-JSON). A JSON-protocol call is a signed
 * POST to "/" naming its operation in X-Amz-Target; a REST call a signed POST to its path.
 * Either way a JSON body in, a JSON body out, an error named by `__type` or x-amzn-ErrorType. Hand-written instead of the AWS SDK because on these paths it is measurably
 * smaller and faster (docs/performance.md, levers; docs/aws-calls.md says what it does and
 * does not do). Retries follow the SDK's standard mode.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
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
  maxSockets?: number;
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
  call<T = any>(operation: string, input: object, endpoint?: string): Promise<T>;
  /** A REST-JSON operation: POST `path`, observed under `operation`. */
  // biome-ignore lint/suspicious/noExplicitAny: as call
  post<T = any>(operation: string, path: string, input: object): Promise<T>;
  observe(observer: Observer): void;
  destroy(): void;
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
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 50 }),
    "https:": new HttpsAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 50 }),
  };
  const contentType =
    opts.protocol === "rest-json" ? "application/json" : `application/x-amz-json-${opts.protocol}`;
  const scope = { region: opts.region, service: opts.service };
  const attempts = opts.maxAttempts ?? 3;
  const observers: Observer[] = [];
  let credentials = typeof opts.credentials === "function" ? undefined : opts.credentials;

  function attempt(url: URL, path: string, operation: string, body: string): Promise<unknown> {
    credentials ??= (opts.credentials as () => Credentials)();
    const headers = sign(
      path,
      {
        "content-type": contentType,
        host: url.host,
        ...(opts.protocol === "rest-json" ? {} : { "x-amz-target": `${opts.target}.${operation}` }),
      },
      body,
      credentials,
      scope,
      Date.now(),
    );
    const https = url.protocol === "https:";
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: url.hostname,
          port: url.port || (https ? 443 : 80),
          method: "POST",
          path,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
          agent: agents[https ? "https:" : "http:"],
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            let json: Record<string, unknown> = {};
            try {
              json = text ? JSON.parse(text) : {};
            } catch {
              // Not retried: the call may have been applied (a counter added), as with any 200.
              if (status === 200)
                return reject(new AwsError("SerializationError", "answer is not JSON", 200, false));
            }
            if (status === 200) return resolve(json);
            // `__type` is "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" or
            // just the name; the header is "Name:http://…" when the body names none.
            const type = String(json.__type ?? res.headers["x-amzn-errortype"] ?? `Http${status}`);
            const name = type.split("#").pop()?.split(":")[0] || `Http${status}`;
            const message = String(json.message ?? json.Message ?? `HTTP ${status}`);
            reject(new AwsError(name, message, status, retryableAnswer(status, name)));
          });
        },
      );
      const timer = opts.timeoutMs
        ? setTimeout(
            () =>
              req.destroy(
                new AwsError("TimeoutError", `no answer in ${opts.timeoutMs} ms`, 0, true),
              ),
            opts.timeoutMs,
          )
        : undefined;
      req.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err instanceof AwsError
            ? err
            : new AwsError(err.code ?? err.name, err.message, 0, NETWORK.has(err.code ?? "")),
        );
      });
      req.end(body);
    });
  }

  async function run(operation: string, url: URL, path: string, input: object) {
    const ends = observers.map((o) => o(operation, input as Record<string, unknown>));
    const body = JSON.stringify(input);
    let ok = false;
    let out: unknown;
    try {
      for (let n = 1; ; n++) {
        try {
          out = await attempt(url, path, operation, body);
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
    call: (operation, input, endpoint) =>
      run(operation, endpoint ? new URL(endpoint) : base, "/", input),
    post: (operation, path, input) => run(operation, base, path, input),
    observe(observer) {
      observers.push(observer);
    },
    destroy() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
