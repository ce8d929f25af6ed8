/**
 * The emulator's HTTP server, loopback only: body read (size-capped), /_control/… to the
 * control API, everything else to the vendor handler, uncaught errors answered as JSON.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ControlError, type ControlRoutes, handleControl } from "./control";
import type { EmulatorCoreBase } from "./core";
import { sendJson } from "./http";

const MAX_BODY_BYTES = 1024 * 1024;

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The host to listen on (default "127.0.0.1"); throws for anything that is not loopback. */
export function loopbackHost(name: string, host: string | undefined): string {
  const chosen = host ?? "127.0.0.1";
  if (!isLoopbackHost(chosen)) {
    throw new Error(`${name}: refusing to listen on non-loopback host ${chosen}`);
  }
  return chosen;
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
