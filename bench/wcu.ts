/**
 * `npm run bench:wcu`: write units per send, before and after a diverse day (docs/performance.md,
 * "Write cost"). DynamoDB Local (needs Java) reports ReturnConsumedCapacity as DynamoDB
 * bills it (1 WCU per KB of the larger of the item before and after). The real send handler
 * runs with an observer (lib/aws/client.ts) that asks every request for its consumed capacity and sums it.
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { createDeps } from "../lib/core/deps";
import { createLogger } from "../lib/core/log";
import { createSenders } from "../lib/providers/senders";
import { makeHandler } from "../lib/send/handler";
import { RequestMeter } from "../lib/store/meter";
import { localClient } from "../local/dynamo";
import { createDemoApp, DEMO_SIGN, seedDemos } from "../local/seed";
import { LOCAL_TABLE, startStack } from "../local/stack";

class CapacityMeter extends RequestMeter {
  wcu: Record<string, number> = {};
  override attach(client: Parameters<RequestMeter["attach"]>[0]): void {
    super.attach(client);
    client.observe((operation, input) => {
      input.ReturnConsumedCapacity = "TOTAL";
      return (_ok, out) => {
        const cc = (out as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
        const list = (Array.isArray(cc) ? cc : cc ? [cc] : []) as { CapacityUnits?: number }[];
        const name = `${operation}Command`;
        for (const c of list) this.wcu[name] = (this.wcu[name] ?? 0) + (c.CapacityUnits ?? 0);
      };
    });
  }
}

const stack = await startStack({
  store: "dynamodb-local",
  port: 0,
  tencentPort: 0,
  huaweiPort: 0,
  logLevel: "silent",
  reportDelayMs: 3_600_000,
});
try {
  await seedDemos(
    stack.apiUrl,
    stack.adminKey,
    { tencent: stack.tencent, huawei: stack.huawei },
    stack.huaweiAppKey,
  );
  const app = await createDemoApp(stack.apiUrl, stack.adminKey, ["tencent"], {
    frequency: { sameContentThirtySeconds: null, oneDay: null },
  });
  const meter = new CapacityMeter();
  const deps = createDeps({ meter, senders: createSenders, log: createLogger("silent") });
  const handler = makeHandler(deps);
  let n = 0;
  const number = (): string => {
    const c = `+86137${String(++n).padStart(8, "0")}`;
    return c.endsWith("4") ? number() : c;
  };
  const send = async (count: number) => {
    meter.wcu = {};
    const res = await handler({
      version: "2.0",
      routeKey: "POST /v1/messages",
      rawPath: "/v1/messages",
      rawQueryString: "",
      headers: {
        host: "bench.local",
        "content-type": "application/json",
        authorization: `Bearer ${app.apiKey}`,
      },
      body: JSON.stringify({
        to: Array.from({ length: count }, number),
        template: "login-code",
        params: ["482913", "5"],
      }),
      isBase64Encoded: false,
      requestContext: {
        accountId: "0",
        apiId: "bench",
        domainName: "bench.local",
        domainPrefix: "bench",
        http: {
          method: "POST",
          path: "/v1/messages",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "bench",
        },
        requestId: `wcu-${n}`,
        routeKey: "POST /v1/messages",
        stage: "$default",
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
    } as never);
    if ((res as { statusCode?: number }).statusCode !== 200) throw new Error(JSON.stringify(res));
    // Reads report read units in the same field: only writes count towards WCU.
    const total = Object.entries(meter.wcu)
      .filter(([c]) => !/^(BatchGetItem|GetItem|Query)/.test(c))
      .reduce((a, [, b]) => a + b, 0);
    return { total, byCommand: { ...meter.wcu } };
  };
  const sizeOf = (item: Record<string, { S?: string; N?: string }>) =>
    // DynamoDB's item size: attribute names plus values (numbers ~ their digits).
    Object.entries(item).reduce(
      (s, [k, v]) => s + k.length + (v.S?.length ?? v.N?.length ?? JSON.stringify(v).length),
      0,
    );
  const itemsOf = async (pk: string) => {
    const client = localClient(String(process.env.DYNAMODB_ENDPOINT));
    const items: Record<string, { S?: string; N?: string }>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: LOCAL_TABLE,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: pk } },
          ExclusiveStartKey: start as never,
        }),
      );
      items.push(...((out.Items ?? []) as never[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  };
  /** The day item (limits) and the largest statistics item, with how many there are. */
  const usageItem = async () => {
    const [usage] = await itemsOf(`USAGE#${app.appId}`);
    const stats = await itemsOf(`STATS#${app.appId}`);
    const largest = Math.max(0, ...stats.map(sizeOf));
    return {
      day: usage?.sk?.S ?? "",
      attributes: Object.keys(usage ?? {}).length,
      bytes: sizeOf(usage ?? {}),
      stats: stats.length,
      largest,
    };
  };
  const rows: (string | number)[][] = [
    [
      "day so far",
      "day item (limits)",
      "statistics items, largest",
      "1-recipient WCU (capacity by command)",
      "200-recipient WCU (capacity by command)",
    ],
  ];
  const measure = async (label: string) => {
    const one = await send(1);
    const wide = await send(200);
    const u = await usageItem();
    rows.push([
      label,
      `${u.attributes} attrs, ${(u.bytes / 1024).toFixed(2)} KB`,
      `${u.stats}, ${(u.largest / 1024).toFixed(2)} KB`,
      `${one.total.toFixed(1)} ${JSON.stringify(one.byCommand)}`,
      `${wide.total.toFixed(1)} ${JSON.stringify(wide.byCommand)}`,
    ]);
  };
  await measure("fresh day");
  // A diverse day: 50 templates × 100 countries × failure, carrier codes and 24 hours, as the
  // statistics builders name them (lib/rules/stats.ts), added through the store — including
  // the scopes the measured sends touch (their template, country, signature and hour).
  const { day } = await usageItem();
  const adds: Record<string, number> = {};
  const scopes = [
    "t:login-code",
    "c:CN",
    `s:${DEMO_SIGN}`,
    ...Array.from({ length: 24 }, (_, h) => `h:${String(h).padStart(2, "0")}`),
    ...Array.from({ length: 50 }, (_, i) => `t:tpl-${i}`),
    ...Array.from(
      { length: 100 },
      (_, i) => `c:${String.fromCharCode(65 + (i % 26), 65 + Math.floor(i / 26))}`,
    ),
  ];
  for (const s of scopes)
    for (const k of [
      "recipients",
      "submitted",
      "delivered",
      "undelivered",
      "segments",
      ...Array.from({ length: 30 }, (_, c) => `fail:FailedOperation.Code${c}`),
    ])
      adds[`${s}:${k}`] = 3;
  for (let c = 0; c < 40; c++) adds[`n:carrier:CODE${c}`] = 2;
  for (let h = 0; h < 24; h++) {
    adds[`h:${String(h).padStart(2, "0")}:verification`] = 5;
    adds[`h:${String(h).padStart(2, "0")}:verificationDelivered`] = 4;
  }
  const entries = Object.entries(adds);
  for (let i = 0; i < entries.length; i += 60)
    await deps.store.addStats(
      app.appId,
      day,
      Object.fromEntries(entries.slice(i, i + 60)),
      new Date().toISOString(),
    );
  await measure("after 50 templates × 100 countries × codes × 24 h");
  console.log("Write units per send (DynamoDB Local, ReturnConsumedCapacity TOTAL)\n");
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join("  "));
} finally {
  await stack.close();
}
