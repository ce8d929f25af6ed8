/**
 * Plumbing shared by the loopback vendor emulators (local/tencent-emulator, local/huawei-emulator):
 * the HTTP server and its helpers, control API parsing, the fault modes and simulator numbers of
 * API.md "Local stack", template variables, timers, and callback pushes with retries.
 *
 * Nothing vendor-specific lives here: authentication, validation, wire formats and codes stay in
 * each emulator, which passes in whatever differs (content types, acknowledgement rules, …).
 */
import http, {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

const MAX_BODY_BYTES = 1024 * 1024;
const PUSH_TIMEOUT_MS = 5000;

// ---------------------------------------------------------------------------------------------
// Values and errors

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Control API error with an HTTP status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Faults and simulator numbers (API.md "Local stack")

export type FaultMode = "none" | "timeout" | "http500" | "badjson";

const FAULT_MODES: readonly FaultMode[] = ["none", "timeout", "http500", "badjson"];

function isFaultMode(value: unknown): value is FaultMode {
  return FAULT_MODES.includes(value as FaultMode);
}

/**
 * Answers a vendor request for the faults that replace the answer ("http500", "badjson").
 * Returns false when the request is to be processed ("none", "timeout").
 */
export function answerFault(res: ServerResponse, fault: FaultMode): boolean {
  if (fault === "http500") {
    sendText(res, 500, "text/plain", "Internal Server Error");
    return true;
  }
  if (fault === "badjson") {
    sendText(res, 200, "text/html", "<html>oops");
    return true;
  }
  return false;
}

/** API.md "Local stack": longest matching suffix wins. */
export type SimulatorBehaviour = "deliver" | "undeliverable" | "refuse" | "silent";

export function simulatorBehaviour(phone: { e164: string }): SimulatorBehaviour {
  if (phone.e164.endsWith("444")) return "silent";
  if (phone.e164.endsWith("44")) return "refuse";
  if (phone.e164.endsWith("4")) return "undeliverable";
  return "deliver";
}

// ---------------------------------------------------------------------------------------------
// Templates

/**
 * Template variables {1}, {2}, … Each emulator passes its own pattern (a vendor may accept more
 * forms); any pattern must be global, with the variable number as group 1.
 */
export const TEMPLATE_VARIABLE = /\{(\d+)\}/g;

/** Distinct variable numbers of a template, ascending ("{1}…{2}…{1}" → [1, 2]). */
export function templateVariables(body: string, pattern: RegExp): number[] {
  const numbers = new Set<number>();
  for (const match of body.matchAll(pattern)) numbers.add(Number(match[1]));
  return [...numbers].sort((a, b) => a - b);
}

/** Substitute params: the i-th distinct variable (ascending) takes params[i]. */
export function renderTemplate(body: string, params: string[], pattern: RegExp): string {
  const variables = templateVariables(body, pattern);
  return body.replace(pattern, (whole, n: string) => params[variables.indexOf(Number(n))] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// Timers

function clearAll(timers: Set<NodeJS.Timeout>): void {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
}

/**
 * One emulator's timers: scheduled work such as status reports (cleared by clearScheduled, i.e.
 * reset, and by close), held responses of the "timeout" fault (only cleared by close) and
 * retry waits (resolved false by close). close() also aborts pushes in flight via `signal`.
 */
export class Timers {
  private readonly scheduled = new Set<NodeJS.Timeout>();
  private readonly held = new Set<NodeJS.Timeout>();
  private readonly waiters = new Map<NodeJS.Timeout, (completed: boolean) => void>();
  private readonly shutdown = new AbortController();
  private isClosed = false;

  /** holdMs: how long the "timeout" fault holds a response before destroying the socket. */
  constructor(private readonly holdMs: number) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Aborted by close(). */
  get signal(): AbortSignal {
    return this.shutdown.signal;
  }

  /** Run fn after ms unless clearScheduled() or close() comes first. */
  schedule(ms: number, fn: () => void): void {
    this.start(this.scheduled, ms, fn);
  }

  private start(set: Set<NodeJS.Timeout>, ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      set.delete(timer);
      fn();
    }, ms);
    set.add(timer);
    return timer;
  }

  /** Resolves true after ms, or false at once if the emulator is closed meanwhile. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(timer);
        resolve(true);
      }, ms);
      this.waiters.set(timer, resolve);
    });
  }

  /** Hold a response (the "timeout" fault) and then destroy the socket without answering. */
  holdResponse(res: ServerResponse): void {
    const timer = this.start(this.held, this.holdMs, () => res.destroy());
    res.on("close", () => {
      clearTimeout(timer);
      this.held.delete(timer);
    });
  }

  /** Drop scheduled work (reset); held responses and retry waits carry on. */
  clearScheduled(): void {
    clearAll(this.scheduled);
  }

  close(): void {
    this.isClosed = true;
    this.shutdown.abort();
    clearAll(this.scheduled);
    clearAll(this.held);
    for (const [timer, resolve] of this.waiters) {
      clearTimeout(timer);
      resolve(false);
    }
    this.waiters.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ControlError(413, "request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  contentType = "application/json",
  extra: OutgoingHttpHeaders = {},
): void {
  sendText(res, status, contentType, JSON.stringify(payload), extra);
}

// ---------------------------------------------------------------------------------------------
// Control API bodies

function parseControlBody(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.length === 0 ? "{}" : body.toString("utf8"));
    if (isRecord(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new ControlError(400, "body must be a JSON object");
}

function onlyString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * A required, non-empty field. `read` says what counts as a string; by default only a string
 * does (an emulator may pass a reader that also takes numbers).
 */
export function requireString(
  body: Json,
  field: string,
  read: (value: unknown) => string | undefined = onlyString,
): string {
  const value = read(body[field]);
  if (value === undefined || value === "") throw new ControlError(400, `${field} is required`);
  return value;
}

/** An optional string field: absent or null → undefined, anything but a string → 400. */
export function optionalStringField(body: Json, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ControlError(400, `${field} must be a string`);
  return value;
}

/** The parts of the control API (API.md "Local stack"; never faulted) each emulator supplies. */
export interface ControlRoutes {
  /** POST /_control/reply with the parsed body; rejects (ControlError) when not delivered. */
  reply: (json: Json) => Promise<void>;
  /** The emulator's own POST routes, path → handler of the parsed body ("/_control/apps"). */
  posts: ReadonlyMap<string, (json: Json) => void>;
}

/** GET /_control/messages, POST /_control/faults and /reset are common; the rest is `routes`. */
async function handleControl<Message extends { params: string[] }>(
  core: EmulatorCoreBase<Message>,
  routes: ControlRoutes,
  method: string,
  path: string,
  body: Buffer,
): Promise<[number, unknown]> {
  const route = `${method} ${path}`;
  switch (route) {
    case "GET /_control/messages":
      return [200, core.messages()];
    case "POST /_control/reply":
      await routes.reply(parseControlBody(body));
      return [200, { ok: true }];
    case "POST /_control/faults": {
      const mode = parseControlBody(body).mode;
      if (!isFaultMode(mode)) {
        throw new ControlError(400, `mode must be one of ${FAULT_MODES.join(", ")}`);
      }
      core.setFault(mode);
      return [200, { ok: true, mode }];
    }
    case "POST /_control/reset":
      core.reset();
      return [200, { ok: true }];
  }
  const post = method === "POST" ? routes.posts.get(path) : undefined;
  if (!post) throw new ControlError(404, `no control route ${route}`);
  post(parseControlBody(body));
  return [200, { ok: true }];
}

// ---------------------------------------------------------------------------------------------
// Callback pushes

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

// ---------------------------------------------------------------------------------------------
// Emulator state

/** The options both emulators take besides their vendor's own. */
export interface CoreOptions {
  /** Delay before status reports are pushed, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

/**
 * What both emulator cores share: option defaults, recorded messages (GET /_control/messages),
 * the fault mode, the reset epoch, the timers and callback pushes with retries. Each core extends
 * it with its vendor's state and behaviour.
 */
export class EmulatorCoreBase<Message extends { params: string[] }> {
  protected recorded: Message[] = [];
  private fault: FaultMode = "none";
  /** Bumped by reset(): retries of pushes started before a reset are dropped. */
  protected epoch = 0;
  /** Report timers (cleared by reset), held responses and push retries (cleared by close). */
  readonly timers: Timers;

  readonly reportDelayMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;

  /** name: "tencent-emulator", which starts every log line. */
  constructor(
    readonly name: string,
    options: CoreOptions,
  ) {
    this.reportDelayMs = options.reportDelayMs ?? 300;
    this.timers = new Timers(options.timeoutHoldMs ?? 20_000);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  setFault(mode: FaultMode): void {
    if (!isFaultMode(mode)) throw new Error(`unknown fault mode ${String(mode)}`);
    this.fault = mode;
    this.log(`${this.name}: fault mode ${mode}`);
  }

  get faultMode(): FaultMode {
    return this.fault;
  }

  messages(): Message[] {
    return this.recorded.map((message) => ({ ...message, params: [...message.params] }));
  }

  /** Clear messages and the fault; drop scheduled reports and retries of earlier pushes. */
  reset(): void {
    this.recorded = [];
    this.fault = "none";
    this.epoch += 1;
    this.timers.clearScheduled();
  }

  /** Stop all timers and pushes in flight. */
  close(): void {
    this.timers.close();
  }

  /**
   * POST a callback, retrying after each of `retryDelaysMs`. Resolves true once acknowledged;
   * false when no attempt was, the emulator closed, or (given the epoch it was queued in) a
   * reset came since.
   */
  protected async push(push: Push, epoch?: number): Promise<boolean> {
    const delays = [0, ...push.retryDelaysMs];
    for (const [attempt, delay] of delays.entries()) {
      if (delay > 0 && !(await this.timers.wait(delay))) return false;
      if (this.timers.closed || (epoch !== undefined && epoch !== this.epoch)) return false;
      const attemptName = `${this.name}: ${push.what} push #${attempt + 1}`;
      try {
        const result = await post(push.url, push.contentType, push.body, this.timers.signal);
        if (push.acknowledged(result)) {
          this.log(`${this.name}: ${push.what} pushed to ${push.url}`);
          return true;
        }
        this.log(`${attemptName} ${push.refusal(result)}`);
      } catch (error) {
        this.log(`${attemptName} failed: ${(error as Error).message}`);
      }
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Server

/** The host to listen on (default "127.0.0.1"); throws for anything that is not loopback. */
export function loopbackHost(name: string, host: string | undefined): string {
  const chosen = host ?? "127.0.0.1";
  if (!isLoopbackHost(chosen)) {
    throw new Error(`${name}: refusing to listen on non-loopback host ${chosen}`);
  }
  return chosen;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export interface ServeOptions {
  /** A loopback host (see loopbackHost). */
  host: string;
  /** 0 or undefined → a free port. */
  port: number | undefined;
  /** Content-Type of the control API's answers and error answers. */
  jsonType?: string;
  /** The emulator's own parts of the control API. */
  control: ControlRoutes;
  /** Any request outside /_control/. */
  vendor: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
}

export interface Served {
  port: number;
  /** "127.0.0.1:PORT" ("[::1]:PORT" for IPv6). */
  endpoint: string;
  /** Idempotent: core.close(), then close the server and every connection. */
  close(): Promise<void>;
}

/** Body read (size-capped), /_control/… to the control API, the rest to `vendor`, errors as JSON. */
export async function serveEmulator<Message extends { params: string[] }>(
  core: EmulatorCoreBase<Message>,
  options: ServeOptions,
): Promise<Served> {
  const { name, log } = core;
  const { host, jsonType } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/_control/")) {
      const method = req.method ?? "GET";
      const [status, payload] = await handleControl(core, options.control, method, path, body);
      return sendJson(res, status, payload, jsonType);
    }
    options.vendor(req, res, body);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof ControlError ? error.status : 500;
      log(`${name}: ${req.method} ${req.url} failed: ${(error as Error).message}`);
      if (!res.headersSent) {
        sendJson(res, status, { ok: false, error: (error as Error).message }, jsonType);
      } else res.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0, host);
  const hostForUrl = host.includes(":") ? `[${host}]` : host;
  const endpoint = `${hostForUrl}:${port}`;
  log(`${name}: listening on http://${endpoint}`);

  let closing: Promise<void> | undefined;
  return {
    port,
    endpoint,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        core.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
