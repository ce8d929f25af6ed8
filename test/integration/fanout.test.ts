/**
 * Parallelism that fits the work (docs/performance.md): a 200-recipient send updates 201
 * items at once, and the DynamoDB client lets them all out in one wave — counted at the wire
 * by a proxy in front of dynalite, through the real client and store port.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, dynamoClient, MAX_SOCKETS } from "../../lib/store/db";
import { ensureTable, type LocalDynamo, localClient, startDynalite } from "../../local/dynamo";

let dynamo: LocalDynamo;
let proxy: Server;
let proxyUrl: string;
let inFlight = 0;
let peak = 0;

beforeAll(async () => {
  dynamo = await startDynalite({});
  await ensureTable(localClient(dynamo.endpoint), "fanout");
  const up = new URL(dynamo.endpoint);
  // Requests are held until all 201 have arrived (or 1.5 s passed): what arrives at once is
  // exactly what the client's sockets let out, however fast dynalite would answer.
  let held: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(timer);
    for (const go of held) go();
    held = [];
  };
  proxy = createServer((req, res) => {
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
    if (inFlight >= 201) release();
    else
      timer ??= setTimeout(() => {
        timer = undefined;
        release();
      }, 1500);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await dynamo?.close();
});

it("201 parallel updates go out in one wave, not the SDK's default 50 at a time", async () => {
  expect(MAX_SOCKETS).toBeGreaterThanOrEqual(201);
  const db = createDb(dynamoClient({ region: "local", endpoint: proxyUrl }), "fanout");
  await Promise.all(
    Array.from({ length: 201 }, (_, i) =>
      db.update(
        { pk: `FREQ#fanout#${i}`, sk: "2026-11-22" },
        {
          update: "ADD #d :one",
          names: { "#d": "day" },
          values: { ":one": 1 },
        },
      ),
    ),
  );
  expect(inFlight).toBe(0);
  expect(peak).toBe(201);
});
