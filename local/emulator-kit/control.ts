/**
 * The control API (plain JSON, never faulted): body parsing and field readers for the
 * emulators' own routes, and the routes every emulator has — GET /_control/messages,
 * POST /_control/reply, /_control/faults and /_control/reset.
 */
import type { EmulatorCoreBase } from "./core";
import { FAULT_MODES, isFaultMode } from "./faults";
import { isRecord, type Json } from "./http";

/** Control API error with an HTTP status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

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

/** The parts of the control API each emulator supplies. */
export interface ControlRoutes {
  /** POST /_control/reply with the parsed body; rejects (ControlError) when not delivered. */
  reply: (json: Json) => Promise<void>;
  /** The emulator's own POST routes, path → handler of the parsed body ("/_control/apps"). */
  posts: ReadonlyMap<string, (json: Json) => void>;
}

/** GET /_control/messages, POST /_control/faults and /reset are common; the rest is `routes`. */
export async function handleControl<Message extends { params: string[] }>(
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
