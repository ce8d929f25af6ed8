/**
 * A little HTTP server standing in for smsgate's callback endpoints in emulator tests: it
 * records what was pushed and answers from a script (else the vendor's expected answer).
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received<T> {
  path: string;
  headers: IncomingHttpHeaders;
  body: T;
}

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Only for requests to this path (a late push to another path must not take it). */
  path?: string;
}

export interface CallbackReceiver<T> {
  url: string;
  received: Received<T>[];
  /** Answers for the next requests; afterwards the default answer. */
  script: Answer[];
  close(): Promise<void>;
}

export async function startReceiver<T>(
  defaultAnswer: Answer,
  parse: (text: string) => T,
): Promise<CallbackReceiver<T>> {
  const received: Received<T>[] = [];
  const script: Answer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        body: parse(Buffer.concat(chunks).toString("utf8")),
      });
      const at = script.findIndex((a) => a.path === undefined || a.path === req.url);
      const answer = at >= 0 ? (script.splice(at, 1)[0] as Answer) : defaultAnswer;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
