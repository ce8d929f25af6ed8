/**
 * A proxy in front of a DynamoDB endpoint that counts requests in flight at the wire, holding
 * them until `wave` have arrived (or `holdMs` passed): what is counted at once is then exactly
 * what the client's sockets let out, however fast the store would answer. Used by the bench's
 * fan-out line and test/integration/fanout.test.ts (docs/performance.md, method).
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface HoldingProxy {
  url: string;
  /** The most requests in flight at once so far. */
  peak(): number;
  /** Requests in flight now. */
  inFlight(): number;
  close(): Promise<void>;
}

export async function holdingProxy(
  upstream: string,
  wave: number,
  holdMs = 1500,
): Promise<HoldingProxy> {
  const up = new URL(upstream);
  let inFlight = 0;
  let peak = 0;
  let held: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const go of held) go();
    held = [];
  };
  const server = createServer((req, res) => {
    peak = Math.max(peak, ++inFlight);
    held.push(() => {
      const forward = request(
        {
          host: up.hostname,
          port: up.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res).on("finish", () => inFlight--);
        },
      );
      req.pipe(forward);
    });
    if (inFlight >= wave) release();
    else timer ??= setTimeout(release, holdMs);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    peak: () => peak,
    inFlight: () => inFlight,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
