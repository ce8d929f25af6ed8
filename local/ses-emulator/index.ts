/**
 * An Amazon SES v2 stand-in for the local stack, loopback only: it speaks the REST/JSON
 * protocol the real @aws-sdk/client-sesv2 uses for SendEmail (POST /v2/email/outbound-emails,
 * SigV4-signed, answering {"MessageId"}; errors carry their type in `x-amzn-ErrorType` and the
 * body), refuses senders that are not verified identities as SES does (400 MessageRejected),
 * and keeps every accepted mail for its control API:
 *
 * - `GET /_control/emails` → `{"emails":[{"messageId","from","to","subject","text","at"}]}`
 * - `POST /_control/identities {"identity"}` verifies an address or a domain
 * - `POST /_control/faults {"mode":"http500"|"reject"|"none"}`; `POST /_control/reset`
 *
 * Written apart from lib/ (docs/architecture.md "Decisions"): it checks what SES would.
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loopbackHost } from "../emulator-kit/server";

export interface SentEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  at: string;
}

export interface SesEmulator {
  url: string;
  emails(): SentEmail[];
  verify(identity: string): void;
  fault(mode: "http500" | "reject" | "none"): void;
  reset(): void;
  close(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024; // SES v2: a message is at most 10 MB (40 MB with an increase)

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  res.end(text);
}

const fail = (res: ServerResponse, status: number, type: string, message: string) =>
  answer(res, status, { __type: type, message }, type);

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error("too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const addressOf = (value: string) => (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();

export async function startSesEmulator(
  opts: { port?: number; host?: string; identities?: string[] } = {},
): Promise<SesEmulator> {
  const host = loopbackHost("ses emulator", opts.host);
  let emails: SentEmail[] = [];
  const identities = new Set((opts.identities ?? []).map((i) => i.toLowerCase()));
  let mode: "http500" | "reject" | "none" = "none";

  const verified = (from: string) => {
    const address = addressOf(from);
    return identities.has(address) || identities.has(address.split("@")[1] ?? "");
  };

  async function sendEmail(req: IncomingMessage, res: ServerResponse) {
    // SigV4: the real client always signs; an unsigned request is refused as SES would.
    const auth = req.headers.authorization ?? "";
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/ses\/aws4_request, /.test(auth))
      return fail(res, 403, "UnrecognizedClientException", "The security token is invalid.");
    if (mode === "http500") return fail(res, 500, "InternalFailure", "Emulated fault.");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await read(req));
    } catch {
      return fail(res, 400, "BadRequestException", "Malformed JSON.");
    }
    const from = typeof body.FromEmailAddress === "string" ? body.FromEmailAddress : "";
    const to = (body.Destination as { ToAddresses?: unknown })?.ToAddresses;
    const simple = (body.Content as { Simple?: Record<string, { Data?: unknown }> })?.Simple;
    const subject = simple?.Subject?.Data;
    const text =
      (simple?.Body as { Text?: { Data?: unknown } } | undefined)?.Text?.Data ??
      (simple?.Body as { Html?: { Data?: unknown } } | undefined)?.Html?.Data;
    if (!from) return fail(res, 400, "BadRequestException", "FromEmailAddress is required.");
    if (
      !Array.isArray(to) ||
      to.length === 0 ||
      to.length > 50 ||
      !to.every((t) => typeof t === "string")
    )
      return fail(res, 400, "BadRequestException", "Destination needs 1-50 ToAddresses.");
    if (typeof subject !== "string" || typeof text !== "string")
      return fail(res, 400, "BadRequestException", "Content.Simple needs a Subject and a Body.");
    if (mode === "reject" || !verified(from))
      return fail(
        res,
        400,
        "MessageRejected",
        `Email address is not verified. The following identities failed the check: ${from}`,
      );
    const messageId = `0100${randomUUID().replace(/-/g, "")}-000000`;
    emails.push({
      messageId,
      from,
      to: to as string[],
      subject,
      text,
      at: new Date().toISOString(),
    });
    answer(res, 200, { MessageId: messageId });
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string) {
    if (req.method === "GET" && path === "/_control/emails") return answer(res, 200, { emails });
    if (req.method !== "POST") return answer(res, 405, { error: "method not allowed" });
    const body = JSON.parse((await read(req)) || "{}") as Record<string, unknown>;
    if (path === "/_control/identities" && typeof body.identity === "string") {
      identities.add(body.identity.toLowerCase());
      return answer(res, 200, { identities: [...identities] });
    }
    if (path === "/_control/faults" && ["http500", "reject", "none"].includes(String(body.mode))) {
      mode = body.mode as typeof mode;
      return answer(res, 200, { mode });
    }
    if (path === "/_control/reset") {
      emails = [];
      mode = "none";
      return answer(res, 200, {});
    }
    return answer(res, 404, { error: `no control route ${path}` });
  }

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const done = path.startsWith("/_control/")
      ? control(req, res, path)
      : req.method === "POST" && path === "/v2/email/outbound-emails"
        ? sendEmail(req, res)
        : Promise.resolve(
            fail(res, 404, "NotFoundException", `Unknown operation ${req.method} ${path}`),
          );
    done.catch((err: Error) => {
      if (!res.headersSent) answer(res, 400, { error: err.message });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://${host}:${port}`,
    emails: () => [...emails],
    verify: (identity) => void identities.add(identity.toLowerCase()),
    fault: (m) => {
      mode = m;
    },
    reset: () => {
      emails = [];
      mode = "none";
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
