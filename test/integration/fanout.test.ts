/**
 * Parallelism that fits the work (docs/performance.md): a 200-recipient send updates 201
 * items at once, and the DynamoDB client lets them all out in one wave — counted at the wire
 * by a proxy in front of dynalite, through the real client and store port.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type HoldingProxy, holdingProxy } from "../../bench/holding-proxy";
import { createDb, dynamoClient, MAX_SOCKETS } from "../../lib/store/db";
import { ensureTable, type LocalDynamo, localClient, startDynalite } from "../../local/dynamo";

let dynamo: LocalDynamo;
let proxy: HoldingProxy;

beforeAll(async () => {
  dynamo = await startDynalite({});
  await ensureTable(localClient(dynamo.endpoint), "fanout");
  // Requests are held until all 201 have arrived (or 1.5 s passed).
  proxy = await holdingProxy(dynamo.endpoint, 201);
});
afterAll(async () => {
  await proxy?.close();
  await dynamo?.close();
});

it("201 parallel updates go out in one wave, not the SDK's default 50 at a time", async () => {
  expect(MAX_SOCKETS).toBeGreaterThanOrEqual(201);
  const db = createDb(dynamoClient({ region: "local", endpoint: proxy.url }), "fanout");
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
  expect(proxy.inFlight()).toBe(0);
  expect(proxy.peak()).toBe(201);
});
