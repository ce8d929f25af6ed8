/**
 * Starts the real local stack (dynalite, emulator, router, real handlers) on free loopback
 * ports for one test file, with the demo app seeded through the admin API.
 */
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { javaAvailable, localClient } from "../../local/dynamo";
import {
  createDemoApp,
  type Demo,
  type DemoProvider,
  routeCallbacks,
  seedDemos,
} from "../../local/seed";
import { LOCAL_TABLE, type Stack, type StackOptions, startStack } from "../../local/stack";

export interface TestStack extends Stack {
  demo: Demo;
  huaweiDemo: Demo;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
  api<T = any>(
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Items in the table: a Scan, allowed in tests only (never on a request path). */
  itemCount(): Promise<number>;
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost")
    throw new Error(`integration tests run on loopback only, not ${host}`);
}

/**
 * The stores a suite runs on: dynalite always, and DynamoDB Local too when Java is on the
 * machine, so dynalite's leniency cannot hide a bug (it accepts an empty key value, say).
 */
export const TEST_STORES: ("dynalite" | "dynamodb-local")[] = [
  "dynalite",
  ...((await javaAvailable()) ? (["dynamodb-local"] as const) : []),
];

export async function startTestStack(opts: StackOptions = {}): Promise<TestStack> {
  const stack = await startStack({
    port: 0,
    dynamoPort: 0,
    tencentPort: 0,
    logLevel: "silent",
    reportDelayMs: 30,
    tencentTimeoutSeconds: 2,
    ...opts,
  });
  for (const url of [
    stack.apiUrl,
    stack.tencent.url,
    stack.huawei.url,
    process.env.DYNAMODB_ENDPOINT ?? "",
  ])
    assertLoopback(url);
  const [demo, huaweiDemo] = (await seedDemos(
    stack.apiUrl,
    stack.adminKey,
    { tencent: stack.tencent, huawei: stack.huawei },
    stack.huaweiAppKey,
  )) as [Demo, Demo];
  const dynamo = localClient(process.env.DYNAMODB_ENDPOINT ?? "");
  return {
    ...stack,
    demo,
    huaweiDemo,
    async api(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const key = o.key === undefined ? demo.apiKey : o.key;
      if (key) headers.authorization = `Bearer ${key}`;
      if (o.body !== undefined || o.raw !== undefined)
        headers["content-type"] ??= "application/json";
      const res = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers,
        body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body: body as never, headers: res.headers };
    },
    async itemCount() {
      const out = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE, Select: "COUNT" }));
      return out.Count ?? 0;
    },
  };
}

/** Polls until `check` returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  ms = 5000,
  what = "condition",
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until no deliverer holds an event of the outbox partition `HOOK#<app>#<subject>`:
 * each has been delivered (gone) or recorded as due again.
 */
export async function outboxIdle(s: Stack, appId: string, subject: string, ms = 8000) {
  await waitFor(
    async () => {
      const items = await s.deps.store.outboxOf(`HOOK#${appId}#${subject}`);
      return items.every((i) => i.leaseUntil === undefined);
    },
    ms,
    `outbox ${subject} idle`,
  );
}

export interface TestApp {
  appId: string;
  apiKey: string;
  send(
    body: object,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
  ): Promise<{ status: number; body: any; headers: Headers }>;
  patch(settings: object): Promise<void>;
  /** The same with the operator key (operator-only settings). */
  operatorPatch(settings: object): Promise<void>;
}

/**
 * A fresh app with the demo templates (already known to the emulators), so each test starts
 * from empty counters and default settings. `providers` in order (failover order).
 */
export async function newApp(
  s: TestStack,
  settings: object = {},
  providers: DemoProvider[] = ["tencent"],
): Promise<TestApp> {
  const { appId, apiKey } = await createDemoApp(s.apiUrl, s.adminKey, providers, settings);
  return {
    appId,
    apiKey,
    send: (body, headers) => s.api("POST", "/v1/messages", { key: apiKey, body, headers }),
    async patch(patch) {
      const r = await s.api("PATCH", `/v1/apps/${appId}`, { key: apiKey, body: patch });
      if (r.status !== 200) throw new Error(`patch refused: ${JSON.stringify(r.body)}`);
    },
    async operatorPatch(patch) {
      const r = await s.api("PATCH", `/v1/apps/${appId}`, { key: s.adminKey, body: patch });
      if (r.status !== 200) throw new Error(`patch refused: ${JSON.stringify(r.body)}`);
    },
  };
}

/** Points the emulator's callbacks (replies for Huawei; reports and replies for Tencent) at an app. */
export function routeTo(
  s: TestStack,
  app: { appId: string; apiKey: string },
  provider: DemoProvider,
) {
  return routeCallbacks(
    s.apiUrl,
    app,
    provider,
    { tencent: s.tencent, huawei: s.huawei },
    s.huaweiAppKey,
  );
}
