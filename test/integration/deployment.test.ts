/**
 * The deployment's protections, alarms, budgets and parameters, read from the CloudFormation
 * template `serverless package` generates (docs/deploy.md says why each one is there).
 *
 * Packaging runs in a copy of the service: serverless-esbuild bundles in `<service>/.esbuild`
 * and deletes it afterwards, so two packagings of one folder at once (package.test.ts runs
 * beside this file) would spoil each other's bundles.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionName } from "../../bench/bundle";
import { loadConfig } from "../../lib/config";
import { resolveSecrets, SECRET_NAMES } from "../../lib/config/secrets";
import { type SecretsCredential, startSecretsManager } from "../../local/secrets-manager/index";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "smsgate-deployment-"));
const service = join(work, "service");

// Every function serverless.yml declares (bench/bundle.ts keeps the one list).
const HTTP_FUNCTIONS: FunctionName[] = ["send", "status-callback", "reply", "admin", "campaigns"];
const PREFIX = "smsgate/dev/";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON
type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, Json>;
}

/** Packages the copied service with these `--param`s and returns the update template. */
async function packaged(name: string, params: Record<string, string>): Promise<Template> {
  const out = join(work, name);
  await run(
    join(root, "node_modules/.bin/serverless"),
    ["package", "--package", out, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)],
    { cwd: service, timeout: 120_000 },
  );
  return JSON.parse(readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8"));
}

// The defaults, and every parameter set to something else.
let base: Template;
let tuned: Template;
// Both providers on, with Tencent's non-secret settings.
let both: Template;
const BOTH = { huawei: "true", tencentSdkAppId: "1400000001", tencentAlertTemplateId: "1000009" };
const TUNED = {
  tencent: "false",
  huawei: "true",
  huaweiEndpoint: "https://smsapi.ap-southeast-1.myhuaweicloud.com:443",
  huaweiSender: "csms12345678",
  huaweiAlertTemplateId: "8ff55eac1d0b478ab3c06c3c6a492300",
  publicUrl: "https://sms.example.com",
  alarmEmail: "ops@example.com",
  apiRateLimit: "50",
  apiBurstLimit: "80",
  api5xxPer5Minutes: "9",
  apiP99LatencyMs: "4000",
  logRetentionDays: "365",
  tencentInternationalAlertTemplateId: "1000010",
  alertEmailFrom: "alerts@example.com",
  sesRegion: "ap-southeast-1",
};

beforeAll(async () => {
  mkdirSync(service);
  for (const entry of [
    "serverless.yml",
    "package.json",
    "tsconfig.json",
    "functions",
    "lib",
    "iam",
  ])
    cpSync(join(root, entry), join(service, entry), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(service, "node_modules"));
  base = await packaged("base", {});
  tuned = await packaged("tuned", TUNED);
  both = await packaged("both", BOTH);
}, 360_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);
/** The checker's dead-letter queue and its policy (the campaign queues are beside them). */
const checkerDlq = (t: Template): [string, Resource] => [
  "CheckerDeadLetterQueue",
  resource(t, "CheckerDeadLetterQueue"),
];
const checkerDlqPolicy = (t: Template): [string, Resource] => [
  "CheckerDeadLetterQueuePolicy",
  resource(t, "CheckerDeadLetterQueuePolicy"),
];

const only = (t: Template, type: string): [string, Resource] => {
  const found = ofType(t, type);
  expect(
    found.map(([id]) => id),
    `one ${type}`,
  ).toHaveLength(1);
  return found[0] as [string, Resource];
};
const resource = (t: Template, id: string): Resource => {
  const r = t.Resources[id];
  expect(r, `resource ${id}`).toBeDefined();
  return r as Resource;
};
const isRef = (v: Json, id: string) => v?.Ref === id;
const isArn = (v: Json, id: string) =>
  v?.["Fn::GetAtt"]?.[0] === id && v["Fn::GetAtt"][1] === "Arn";

function lambda(t: Template, name: FunctionName): [string, Json] {
  const found = ofType(t, "AWS::Lambda::Function").filter(
    ([, r]) => r.Properties.FunctionName === `smsgate-dev-${name}`,
  );
  expect(found, `function ${name}`).toHaveLength(1);
  const [id, r] = found[0] as [string, Resource];
  return [id, r.Properties];
}
const env = (t: Template, name: FunctionName): Record<string, string> =>
  lambda(t, name)[1].Environment.Variables;

/** Evaluates a template condition (Fn::Not / Fn::Equals over literals, as packaged). */
function holds(t: Template, condition: Json): boolean {
  if (typeof condition === "string") return holds(t, t.Conditions?.[condition]);
  if (condition?.Condition) return holds(t, t.Conditions?.[condition.Condition]);
  if (condition?.["Fn::Not"]) return !holds(t, condition["Fn::Not"][0]);
  if (condition?.["Fn::Equals"]) {
    const [a, b] = condition["Fn::Equals"];
    expect(typeof a === "string" && typeof b === "string", "literal operands").toBe(true);
    return a === b;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(condition)}`);
}

interface Alarm {
  id: string;
  p: Json;
}
const alarms = (t: Template): Alarm[] =>
  ofType(t, "AWS::CloudWatch::Alarm").map(([id, r]) => ({ id, p: r.Properties }));
const dimension = (p: Json, name: string) =>
  (p.Dimensions as { Name: string; Value: Json }[] | undefined)?.find((d) => d.Name === name)
    ?.Value;
const metricAlarms = (t: Template, namespace: string, metric: string) =>
  alarms(t).filter((a) => a.p.Namespace === namespace && a.p.MetricName === metric);

describe("the table", () => {
  it("survives a stack delete, a replacement and a console delete, and is backed up and encrypted", () => {
    const [, table] = only(base, "AWS::DynamoDB::Table");
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(table.Properties.SSESpecification.SSEEnabled).toBe(true);
  });
});

describe("the alarm topic", () => {
  it("is encrypted with a rotated key that CloudWatch may use to publish", () => {
    const [, topic] = only(base, "AWS::SNS::Topic");
    const keyId = topic.Properties.KmsMasterKeyId?.Ref as string;
    const key = resource(base, keyId);
    expect(key.Type).toBe("AWS::KMS::Key");
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const forCloudWatch = (key.Properties.KeyPolicy.Statement as Json[]).filter(
      (s) => s.Effect === "Allow" && s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    expect(forCloudWatch.flatMap((s) => s.Action)).toEqual(
      expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey*"]),
    );
  });

  it("gets the operators' e-mail subscription only when alarmEmail is given", () => {
    const [topicId] = only(base, "AWS::SNS::Topic");
    for (const [t, subscribed] of [
      [base, false],
      [tuned, true],
    ] as const) {
      const [, sub] = only(t, "AWS::SNS::Subscription");
      expect(isRef(sub.Properties.TopicArn, topicId)).toBe(true);
      expect(sub.Properties.Protocol).toBe("email");
      expect(sub.Condition, "the subscription is conditional").toBeTypeOf("string");
      expect(holds(t, sub.Condition)).toBe(subscribed);
    }
    expect(only(tuned, "AWS::SNS::Subscription")[1].Properties.Endpoint).toBe("ops@example.com");
  });
});

describe("alarms", () => {
  it("all notify the topic, on alarm and on recovery, with actions enabled", () => {
    const [topicId] = only(base, "AWS::SNS::Topic");
    expect(alarms(base).length).toBeGreaterThan(0);
    for (const { id, p } of alarms(base)) {
      expect(
        p.AlarmActions.some((a: Json) => isRef(a, topicId)),
        id,
      ).toBe(true);
      expect(
        p.OKActions.some((a: Json) => isRef(a, topicId)),
        id,
      ).toBe(true);
      expect(p.ActionsEnabled, id).not.toBe(false);
    }
  });

  it("watch each function's errors and throttles, one alarm each", () => {
    for (const name of FUNCTIONS) {
      const [id] = lambda(base, name);
      for (const metric of ["Errors", "Throttles"]) {
        const mine = metricAlarms(base, "AWS/Lambda", metric).filter((a) =>
          isRef(dimension(a.p, "FunctionName"), id),
        );
        expect(mine, `${name} ${metric}`).toHaveLength(1);
        expect(mine[0]?.p.Threshold).toBe(1);
        expect(mine[0]?.p.ComparisonOperator).toBe("GreaterThanOrEqualToThreshold");
      }
    }
  });

  it("watch the HTTP API's 5xx and p99 latency, with thresholds from parameters", () => {
    const [apiId, api] = only(base, "AWS::ApiGatewayV2::Api");
    expect(api.Properties.ProtocolType).toBe("HTTP");
    for (const [t, errors, latency] of [
      [base, 5, 6000],
      [tuned, 9, 4000],
    ] as const) {
      const fivexx = metricAlarms(t, "AWS/ApiGateway", "5xx");
      expect(fivexx).toHaveLength(1);
      expect(isRef(dimension(fivexx[0]?.p, "ApiId"), apiId)).toBe(true);
      expect(Number(fivexx[0]?.p.Threshold)).toBe(errors);
      const slow = metricAlarms(t, "AWS/ApiGateway", "Latency");
      expect(slow).toHaveLength(1);
      expect(isRef(dimension(slow[0]?.p, "ApiId"), apiId)).toBe(true);
      expect(slow[0]?.p.ExtendedStatistic).toBe("p99");
      expect(Number(slow[0]?.p.Threshold)).toBe(latency);
    }
  });

  it("watch DynamoDB throttles on the table and its index", () => {
    const [tableId] = only(base, "AWS::DynamoDB::Table");
    const throttles = alarms(base).filter((a) =>
      (a.p.Metrics as Json[] | undefined)?.some(
        (m) => m.MetricStat?.Metric.Namespace === "AWS/DynamoDB",
      ),
    );
    expect(throttles).toHaveLength(1);
    const metrics = throttles[0]?.p.Metrics as Json[];
    const watched = metrics
      .filter((m) => m.MetricStat)
      .map((m) => {
        const dims = m.MetricStat.Metric.Dimensions as { Name: string; Value: Json }[];
        expect(isRef(dims.find((d) => d.Name === "TableName")?.Value, tableId)).toBe(true);
        const index = dims.find((d) => d.Name === "GlobalSecondaryIndexName")?.Value ?? "table";
        return `${index} ${m.MetricStat.Metric.MetricName}`;
      });
    expect(watched.sort()).toEqual([
      "gsi1 ReadThrottleEvents",
      "gsi1 WriteThrottleEvents",
      "table ReadThrottleEvents",
      "table WriteThrottleEvents",
    ]);
    const returned = metrics.filter((m) => m.ReturnData !== false);
    expect(returned).toHaveLength(1);
    expect(returned[0].Expression).toBe("SUM(METRICS())");
  });

  it("watch the checker: dead letters, failed schedule deliveries, and a checker that stopped", () => {
    const [dlqId] = checkerDlq(base);
    const [ruleId] = only(base, "AWS::Events::Rule");
    const [checkerId] = lambda(base, "threshold-check");
    // One dead-letter alarm per dead-letter queue: the checker's, the campaigns', the webhooks'.
    const dead = metricAlarms(base, "AWS/SQS", "ApproximateNumberOfMessagesVisible").filter(
      (a) =>
        !["CampaignDeadLetterQueue", "WebhookDeadLetterQueue"].some(
          (q) =>
            JSON.stringify(dimension(a.p, "QueueName")) ===
            JSON.stringify({ "Fn::GetAtt": [q, "QueueName"] }),
        ),
    );
    expect(dead).toHaveLength(1);
    expect(dimension(dead[0]?.p, "QueueName")).toEqual({ "Fn::GetAtt": [dlqId, "QueueName"] });
    expect(dead[0]?.p.Threshold).toBe(1);
    const undelivered = metricAlarms(base, "AWS/Events", "FailedInvocations");
    expect(undelivered).toHaveLength(1);
    expect(isRef(dimension(undelivered[0]?.p, "RuleName"), ruleId)).toBe(true);
    const stopped = metricAlarms(base, "AWS/Lambda", "Invocations");
    expect(stopped).toHaveLength(1);
    expect(isRef(dimension(stopped[0]?.p, "FunctionName"), checkerId)).toBe(true);
    expect(stopped[0]?.p.ComparisonOperator).toBe("LessThanThreshold");
    // No data at all means no invocations: that must alarm too.
    expect(stopped[0]?.p.TreatMissingData).toBe("breaching");
  });
});

describe("the checker's schedule", () => {
  it("is one EventBridge rule, retried within one period, then dead-lettered", () => {
    const [checkerId] = lambda(base, "threshold-check");
    const [dlqId] = checkerDlq(base);
    const [ruleId, rule] = only(base, "AWS::Events::Rule");
    expect(rule.Properties.ScheduleExpression).toBe("rate(5 minutes)");
    expect(rule.Properties.Targets).toHaveLength(1);
    const target = rule.Properties.Targets[0];
    expect(isArn(target.Arn, checkerId)).toBe(true);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
    expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(300);
    expect(isArn(target.DeadLetterConfig.Arn, dlqId)).toBe(true);

    const invoke = ofType(base, "AWS::Lambda::Permission").filter(
      ([, p]) => p.Properties.Principal === "events.amazonaws.com",
    );
    expect(invoke).toHaveLength(1);
    expect(isArn(invoke[0]?.[1].Properties.SourceArn, ruleId)).toBe(true);
    expect(isArn(invoke[0]?.[1].Properties.FunctionName, checkerId)).toBe(true);

    // EventBridge may write to the dead-letter queue, for this rule only.
    const [, policy] = checkerDlqPolicy(base);
    const fromEvents = (policy.Properties.PolicyDocument.Statement as Json[]).filter(
      (s) => s.Effect === "Allow" && s.Principal?.Service === "events.amazonaws.com",
    );
    expect(fromEvents).toHaveLength(1);
    expect(isArn(fromEvents[0].Condition.ArnEquals["aws:SourceArn"], ruleId)).toBe(true);
  });

  it("invokes a checker that runs alone, is not retried, and dead-letters failed runs", () => {
    const [checkerId, checker] = lambda(base, "threshold-check");
    const [dlqId, dlq] = checkerDlq(base);
    expect(checker.ReservedConcurrentExecutions).toBe(1);
    const [, config] = only(base, "AWS::Lambda::EventInvokeConfig");
    expect(isRef(config.Properties.FunctionName, checkerId)).toBe(true);
    expect(config.Properties.MaximumRetryAttempts).toBe(0);
    expect(config.Properties.MaximumEventAgeInSeconds).toBeLessThanOrEqual(300);
    expect(isArn(config.Properties.DestinationConfig.OnFailure.Destination, dlqId)).toBe(true);
    // Lambda writes the dead letter with the function's own role (it also wakes the webhook
    // worker, on the webhook queue).
    const role = resource(base, checker.Role["Fn::GetAtt"][0]);
    const sends = (role.Properties.Policies as Json[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s: Json) => s.Action.includes("sqs:SendMessage"))
      .filter((s: Json) => !isArn(s.Resource, "WebhookQueue"));
    expect(sends.map((s: Json) => isArn(s.Resource, dlqId))).toEqual([true]);
    // Encrypted at rest, and kept long enough to look at (14 days).
    expect(dlq.Properties.SqsManagedSseEnabled === true || dlq.Properties.KmsMasterKeyId).toBe(
      true,
    );
    expect(dlq.Properties.MessageRetentionPeriod).toBe(1_209_600);
  });
});

describe("the HTTP API stage", () => {
  it("is throttled, from parameters with defaults", () => {
    for (const [t, rate, burst] of [
      [base, 100, 200],
      [tuned, 50, 80],
    ] as const) {
      const [, stage] = only(t, "AWS::ApiGatewayV2::Stage");
      const routes = stage.Properties.DefaultRouteSettings;
      expect(Number(routes.ThrottlingRateLimit)).toBe(rate);
      expect(Number(routes.ThrottlingBurstLimit)).toBe(burst);
    }
  });

  it("writes a JSON access log to an encrypted log group, without request paths", () => {
    const [, stage] = only(base, "AWS::ApiGatewayV2::Stage");
    const { Format, DestinationArn } = stage.Properties.AccessLogSettings;
    const fields = JSON.parse(Format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
    });
    // A callback's path carries its token: the route key names the route without it.
    expect(Format).not.toMatch(/\$context\.(path|resourcePath)/);
    const group = resource(base, DestinationArn["Fn::GetAtt"][0]);
    expect(group.Type).toBe("AWS::Logs::LogGroup");
    expect(group.Properties.KmsKeyId).toBeDefined();
  });
});

describe("the functions", () => {
  it("log JSON, trace with X-Ray, may write traces, and keep their logs encrypted", () => {
    for (const name of FUNCTIONS) {
      const [, fn] = lambda(base, name);
      expect(fn.LoggingConfig?.LogFormat, name).toBe("JSON");
      expect(fn.TracingConfig?.Mode, name).toBe("Active");
      const role = resource(base, fn.Role["Fn::GetAtt"][0]);
      expect(role.Properties.ManagedPolicyArns, name).toContain(
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
      );
    }
    const groups = ofType(base, "AWS::Logs::LogGroup");
    expect(groups.length).toBe(FUNCTIONS.length + 1);
    for (const [id, g] of groups)
      expect(g.Properties.KmsKeyId, id).toEqual({ "Fn::GetAtt": ["OpsKey", "Arn"] });
    for (const [t, days] of [
      [base, 30],
      [tuned, 365],
    ] as const)
      for (const [id, g] of ofType(t, "AWS::Logs::LogGroup"))
        expect(g.Properties.RetentionInDays, id).toBe(days);
  });

  // Worst paths (docs/deploy.md, "Timeouts"), in seconds. DB: the store's retries of
  // unprocessed batch items (100 ms doubling to 1 s, nine waits: 6.5 s) and a round trip.
  const DB = 7;
  const COLD = 1; // loading the handler and its SDK on the first event
  const WEBHOOK_INLINE = 1.5; // lib/callbacks: the reply's first forward attempt
  const WEBHOOK_RETRY = 5; // lib/checker: each later attempt
  const ALERTS_PER_APP = 10; // sequential alerts within one app in one run (apps in parallel)

  it("have timeouts that cover their worst paths, under the HTTP API's 30 s", () => {
    const seconds = (name: FunctionName) => lambda(base, name)[1].Timeout as number;
    const vendor = (name: FunctionName) => {
      const e = env(base, name);
      // The vendor timeouts are stated, not left to lib/config's defaults.
      expect(e.TENCENT_TIMEOUT_SECONDS, name).toMatch(/^\d+$/);
      expect(e.HUAWEI_TIMEOUT_SECONDS, name).toMatch(/^\d+$/);
      return {
        tencent: Number(e.TENCENT_TIMEOUT_SECONDS),
        huawei: Number(e.HUAWEI_TIMEOUT_SECONDS),
      };
    };
    const send = vendor("send");
    // The primary provider times out, then the other is tried for the numbers it refused.
    expect(seconds("send")).toBeGreaterThanOrEqual(send.tencent + send.huawei + DB + COLD);
    expect(seconds("status-callback")).toBeGreaterThanOrEqual(DB + COLD);
    expect(seconds("reply")).toBeGreaterThanOrEqual(DB + WEBHOOK_INLINE + COLD);
    expect(seconds("admin")).toBeGreaterThanOrEqual(DB + COLD);
    const check = vendor("threshold-check");
    const alert = Math.max(check.tencent, check.huawei) + 1;
    expect(seconds("threshold-check")).toBeGreaterThanOrEqual(
      ALERTS_PER_APP * alert + Math.max(check.tencent, WEBHOOK_RETRY) + DB + COLD,
    );
    // A run ends before the next one is due.
    const [, rule] = only(base, "AWS::Events::Rule");
    const [, every, unit] =
      /^rate\((\d+) (minute|minutes)\)$/.exec(rule.Properties.ScheduleExpression) ?? [];
    expect(unit).toBeDefined();
    expect(seconds("threshold-check")).toBeLessThan(Number(every) * 60);

    // Every HTTP function ends before its integration does (HTTP API: 30 s at most).
    const integrations = ofType(base, "AWS::ApiGatewayV2::Integration");
    expect(integrations.length).toBe(HTTP_FUNCTIONS.length);
    for (const name of HTTP_FUNCTIONS) {
      const [id] = lambda(base, name);
      const integration = integrations.find(([, i]) => isArn(i.Properties.IntegrationUri, id));
      const limit = integration?.[1].Properties.TimeoutInMillis as number;
      expect(limit, name).toBeLessThanOrEqual(30_000);
      expect(seconds(name) * 1000, name).toBeLessThan(limit);
    }
  });
});

/** Evaluates Fn::If over the template's conditions, dropping AWS::NoValue (as CloudFormation does). */
function evaluate(t: Template, v: Json): Json {
  if (Array.isArray(v))
    return v.map((x) => evaluate(t, x)).filter((x) => x?.Ref !== "AWS::NoValue");
  if (v?.["Fn::If"]) {
    const [condition, yes, no] = v["Fn::If"];
    return evaluate(t, holds(t, condition) ? yes : no);
  }
  return v;
}

/** A role's secrets statements: what it may batch-read, and the secret names it may read. */
function secretGrants(t: Template, name: FunctionName) {
  const role = resource(t, lambda(t, name)[1].Role["Fn::GetAtt"][0]);
  const statements = (role.Properties.Policies as Json[]).flatMap((p) =>
    evaluate(t, p.PolicyDocument.Statement),
  );
  const on = (action: string) =>
    statements
      .filter((st: Json) => st.Action.includes(action))
      .flatMap((st: Json) => evaluate(t, [st.Resource].flat()));
  const names = on("secretsmanager:GetSecretValue").map((r: Json) => {
    const arn = r["Fn::Sub"] as string;
    const m =
      /^arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}:secret:(.+)-\?\?\?\?\?\?$/.exec(
        arn,
      );
    expect(m, `${name}: ${arn} names one secret of this account and region`).not.toBeNull();
    return (m as RegExpExecArray)[1] as string;
  });
  const otherActions = statements
    .flatMap((st: Json) => st.Action as string[])
    .filter((a: string) => a.startsWith("secretsmanager:"))
    .filter(
      (a: string) =>
        a !== "secretsmanager:GetSecretValue" && a !== "secretsmanager:BatchGetSecretValue",
    );
  return { batch: on("secretsmanager:BatchGetSecretValue"), names, otherActions };
}

// What each function may read, by provider switch (docs/deploy.md "The secrets").
const EXPECTED: Record<FunctionName, (v: string[]) => string[]> = {
  send: (vendors) => ["operator", "master", ...vendors],
  "threshold-check": (vendors) => ["master", ...vendors],
  admin: () => ["operator", "master"],
  "status-callback": () => ["master"],
  reply: () => ["master"],
  campaigns: () => ["operator", "master"],
  "campaign-worker": (vendors) => ["master", ...vendors],
  "webhook-worker": () => ["master"],
};
const VENDORS = (): [string, Template, string[]][] => [
  ["tencent only", base, ["tencent"]],
  ["huawei only", tuned, ["huawei"]],
  ["both", both, ["tencent", "huawei"]],
];

describe("secrets", () => {
  it("are in no function's environment: no dynamic reference, no secret variable", () => {
    for (const [label, t] of VENDORS()) {
      // Not anywhere in the template: a {{resolve:secretsmanager…}} would put the value in
      // the function's plaintext environment at deploy time.
      expect(JSON.stringify(t), label).not.toMatch(/\{\{resolve:/);
      for (const name of FUNCTIONS) {
        const e = env(t, name);
        for (const key of [
          "SMSGATE_ADMIN_KEY",
          "SMSGATE_SECRET",
          "TENCENT_SECRET_ID",
          "TENCENT_SECRET_KEY",
          "HUAWEI_APP_KEY",
          "HUAWEI_APP_SECRET",
        ])
          expect(e, `${label} ${name}`).not.toHaveProperty(key);
        expect(e.SMSGATE_SECRETS_PREFIX, `${label} ${name}`).toBe(PREFIX);
        expect(e, `${label} ${name}`).not.toHaveProperty("SECRETS_MANAGER_ENDPOINT");
      }
    }
  });

  it("each function lists exactly its own, and its role may read exactly those", () => {
    for (const [label, t, vendors] of VENDORS())
      for (const name of FUNCTIONS) {
        const listed = env(t, name).SMSGATE_SECRETS?.split(",") ?? [];
        expect(listed.sort(), `${label} ${name} lists`).toEqual(EXPECTED[name](vendors).sort());
        const grants = secretGrants(t, name);
        expect(grants.names.sort(), `${label} ${name}'s role reads`).toEqual(
          listed.map((n) => `${PREFIX}${n}`).sort(),
        );
        // BatchGetSecretValue has no resource type ("*" is what AWS requires); it returns only
        // what GetSecretValue allows. Nothing else of Secrets Manager is allowed.
        expect(grants.batch, `${label} ${name}`).toEqual(["*"]);
        expect(grants.otherActions, `${label} ${name}`).toEqual([]);
      }
  });

  it("a Tencent-only, a Huawei-only and a two-provider stage each give every function a valid configuration, read with its own role", async () => {
    // Every secret exists; each function's key may read only what its role grants, as IAM
    // would let it (the local Secrets Manager refuses the rest with AccessDeniedException).
    const credentials: (SecretsCredential & { fn: string; label: string })[] = [];
    for (const [label, t] of VENDORS())
      for (const name of FUNCTIONS)
        credentials.push({
          fn: name,
          label,
          accessKeyId: `AKID${credentials.length}`,
          secretAccessKey: `secret-${label}-${name}`,
          allow: secretGrants(t, name).names,
        });
    const sm = await startSecretsManager({ credentials, region: "ap-southeast-1" });
    try {
      sm.put(`${PREFIX}operator`, { adminKey: "operator-key-0123456789" });
      sm.put(`${PREFIX}master`, { secrets: ["master-secret-0123456789"] });
      sm.put(`${PREFIX}tencent`, { secretId: "AKIDtencent", secretKey: "tencent-key" });
      sm.put(`${PREFIX}huawei`, { appKey: "hw-app-key", appSecret: "hw-app-secret" });
      expect(SECRET_NAMES.sort()).toEqual(["huawei", "master", "operator", "tencent"]);
      for (const [label, t, vendors] of VENDORS())
        for (const name of FUNCTIONS) {
          const { NODE_OPTIONS: _, ...rest } = Object.fromEntries(
            Object.entries(env(t, name)).map(([k, v]) => [
              k,
              // The campaign queue's URL is a CloudFormation Ref, resolved at deploy time.
              typeof v === "string"
                ? v
                : "https://sqs.ap-southeast-1.amazonaws.com/000000000000/smsgate-dev-campaigns",
            ]),
          );
          const config = loadConfig({
            ...rest,
            AWS_REGION: "ap-southeast-1",
            SECRETS_MANAGER_ENDPOINT: sm.url,
          });
          const key = credentials.find(
            (c) => c.label === label && c.fn === name,
          ) as SecretsCredential;
          const resolved = await resolveSecrets(config, { credentials: key });
          const what = `${label} ${name}`;
          expect(resolved.SMSGATE_SECRET, what).toEqual(["master-secret-0123456789"]);
          const operator = ["send", "admin", "campaigns"].includes(name);
          expect(resolved.SMSGATE_ADMIN_KEY, what).toBe(
            operator ? "operator-key-0123456789" : undefined,
          );
          const sends = ["send", "threshold-check", "campaign-worker"].includes(name);
          expect(resolved.TENCENT_SECRET_KEY, what).toBe(
            sends && vendors.includes("tencent") ? "tencent-key" : undefined,
          );
          expect(resolved.HUAWEI_APP_SECRET, what).toBe(
            sends && vendors.includes("huawei") ? "hw-app-secret" : undefined,
          );
        }
      // One call per function, nothing else.
      expect(sm.calls).toEqual({ BatchGetSecretValue: VENDORS().length * FUNCTIONS.length });
    } finally {
      await sm.close();
    }
  });
});

describe("providers and settings, from parameters", () => {
  it("give vendor settings only to the functions that send", () => {
    expect(env(both, "send")).toMatchObject({
      TENCENT_SDK_APP_ID: BOTH.tencentSdkAppId,
      TENCENT_ALERT_TEMPLATE_ID: BOTH.tencentAlertTemplateId,
    });
    expect(env(both, "threshold-check").TENCENT_ALERT_TEMPLATE_ID).toBe(
      BOTH.tencentAlertTemplateId,
    );
    for (const t of [base, tuned, both])
      for (const name of ["status-callback", "reply", "admin"] as const)
        expect(
          Object.keys(env(t, name)).filter((k) => /^(TENCENT|HUAWEI)_/.test(k)),
          name,
        ).toEqual([]);
  });

  it("switch providers and set their non-secret values without editing serverless.yml", () => {
    const send = env(tuned, "send");
    expect(send).toMatchObject({
      HUAWEI_ENDPOINT: TUNED.huaweiEndpoint,
      HUAWEI_SENDER: TUNED.huaweiSender,
      HUAWEI_ALERT_TEMPLATE_ID: TUNED.huaweiAlertTemplateId,
      SMSGATE_PUBLIC_URL: TUNED.publicUrl,
    });
    // Unset optional values are left out, so lib/config's defaults apply (an empty string
    // would fail its checks at every cold start).
    expect(env(base, "send")).not.toHaveProperty("HUAWEI_ENDPOINT");
    expect(env(base, "send")).not.toHaveProperty("TENCENT_SDK_APP_ID");
    expect(env(base, "send")).not.toHaveProperty("SMSGATE_PUBLIC_URL");
  });

  it("are all variables lib/config reads, with values it accepts", () => {
    for (const t of [base, tuned, both])
      for (const name of FUNCTIONS) {
        const e = Object.fromEntries(
          Object.entries(env(t, name)).map(([k, v]) => [
            k,
            // The campaign queue's URL is a CloudFormation Ref, resolved at deploy time.
            typeof v !== "string"
              ? "https://sqs.ap-southeast-1.amazonaws.com/000000000000/smsgate-dev-campaigns"
              : v,
          ]),
        );
        const { NODE_OPTIONS: _, ...rest } = e;
        const config = loadConfig({ ...rest, AWS_REGION: "ap-southeast-1" }) as Record<
          string,
          unknown
        >;
        for (const [k, v] of Object.entries(rest))
          expect(String(config[k]), `${name} ${k}`).toBe(v);
      }
  });
});

describe("alert e-mail, from parameters", () => {
  it("gives the checker its SES sender and lets it send from that address only", () => {
    expect(env(tuned, "threshold-check")).toMatchObject({
      SMSGATE_ALERT_EMAIL_FROM: TUNED.alertEmailFrom,
      SES_REGION: TUNED.sesRegion,
      TENCENT_ALERT_TEMPLATE_ID_INTERNATIONAL: TUNED.tencentInternationalAlertTemplateId,
    });
    expect(env(base, "threshold-check")).not.toHaveProperty("SMSGATE_ALERT_EMAIL_FROM");
    const statementOf = (t: Template) =>
      resource(t, "ThresholdCheckRole").Properties.Policies.find(
        (p: Json) => p.PolicyName === "alert-email",
      )?.PolicyDocument.Statement[0];
    expect(statementOf(tuned)).toMatchObject({
      Action: ["ses:SendEmail"],
      Condition: { StringEquals: { "ses:FromAddress": TUNED.alertEmailFrom } },
    });
    expect(statementOf(base).Condition.StringEquals["ses:FromAddress"]).toBe("none");
    for (const name of ["send", "status-callback", "reply", "admin"] as const)
      expect(
        JSON.stringify(resource(base, lambda(base, name)[1].Role["Fn::GetAtt"][0])),
      ).not.toContain("ses:");
  });
});

/**
 * cfn-guard 3.1.1 with the AWS Control Tower proactive rules, from the npm package
 * @cdklabs/cdk-validator-cfnguard, on the packaged templates: every failing rule must be
 * one docs/deploy.md waives, with its reason ("Control Tower and Guard rules").
 */
describe("cfn-guard, Control Tower rules", () => {
  const guard = join(root, "node_modules/@cdklabs/cdk-validator-cfnguard");
  const binary = join(
    guard,
    "bin",
    process.platform === "darwin" ? "macos" : "ubuntu",
    process.arch === "arm64" ? "aarch64" : "x86_64",
    "cfn-guard",
  );
  const ruleId = (file: string) =>
    file
      .replace(/\.guard$/, "")
      .toUpperCase()
      .replace(/-/g, ".");

  // The rule folders for the services the template uses (all of the 237 rules take a minute
  // on a shared machine; the others would all be skipped). A service with no folder must be
  // listed here, so a new resource type cannot slip past unchecked.
  const FOLDER: Record<string, string | null> = {
    apigatewayv2: "apigateway",
    cloudwatch: "cloudwatch",
    logs: "cloudwatch",
    dynamodb: "dynamodb",
    iam: "identityandaccessmanagement",
    kms: "keymanagementservice",
    lambda: "lambda",
    s3: "s3",
    sqs: "sqs",
    sns: null, // no Control Tower proactive rule; docs/deploy.md covers SNS.1/SNS.2
    events: null,
  };
  const folders = (t: Template) => {
    const services = new Set(
      Object.values(t.Resources).map((r) => (r.Type.split("::")[1] ?? "").toLowerCase()),
    );
    for (const sv of services) expect(Object.keys(FOLDER), `rules for ${sv}`).toContain(sv);
    return [...new Set([...services].map((sv) => FOLDER[sv]).filter((f): f is string => !!f))];
  };

  async function results(name: string, t: Template): Promise<Record<string, string>> {
    const out = await run(
      binary,
      [
        "validate",
        ...folders(t).flatMap((f) => ["-r", join(guard, "rules/control-tower/cfn-guard", f)]),
        "-d",
        join(work, name, "cloudformation-template-update-stack.json"),
        "-S",
        "all",
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string; code?: number }) => {
      // cfn-guard exits 19 when a rule fails; anything else is a broken run.
      if (err.code !== 19) throw err;
      return { stdout: err.stdout ?? "" };
    });
    const status: Record<string, string> = {};
    for (const m of out.stdout.matchAll(/\s(ct-[\w-]+\.guard)\/\S+\s+(PASS|FAIL|SKIP)\b/g)) {
      const id = ruleId(m[1] as string);
      // One file may hold several checks: the rule fails if any does.
      if (status[id] !== "FAIL")
        status[id] = m[2] === "SKIP" && status[id] ? status[id] : (m[2] as string);
    }
    return status;
  }

  /** The rules docs/deploy.md's table marks "waived", with "by default" ones apart. */
  function waivers(): { always: Set<string>; byDefault: Set<string> } {
    const doc = readFileSync(join(root, "docs/deploy.md"), "utf8");
    const always = new Set<string>();
    const byDefault = new Set<string>();
    for (const line of doc.split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      if (cells.length < 5 || !/waived/.test(cells[3] ?? "")) continue;
      for (const m of (cells[1] ?? "").matchAll(/CT\.([A-Z0-9]+)\.PR\.([\d/]+)/g))
        for (const n of (m[2] as string).split("/"))
          (/by default/.test(cells[3] ?? "") ? byDefault : always).add(`CT.${m[1]}.PR.${n}`);
    }
    return { always, byDefault };
  }

  it("fail no rule that docs/deploy.md does not waive, with the defaults and with every parameter set", async () => {
    const { always, byDefault } = waivers();
    expect(always.size).toBeGreaterThan(0);
    const b = await results("base", base);
    const t = await results("tuned", tuned);
    const failing = (r: Record<string, string>) =>
      Object.keys(r)
        .filter((k) => r[k] === "FAIL")
        .sort();
    expect(failing(b).filter((k) => !always.has(k) && !byDefault.has(k))).toEqual([]);
    expect(failing(t).filter((k) => !always.has(k))).toEqual([]);
    // The waivers name rules that exist, and the protections the doc claims do pass.
    for (const k of [...always, ...byDefault]) expect(Object.keys(b), k).toContain(k);
    for (const k of [
      "CT.DYNAMODB.PR.1",
      "CT.DYNAMODB.PR.2",
      "CT.APIGATEWAY.PR.4",
      "CT.CLOUDWATCH.PR.1",
      "CT.CLOUDWATCH.PR.3",
      "CT.CLOUDWATCH.PR.4",
      "CT.KMS.PR.1",
      "CT.IAM.PR.1",
      "CT.IAM.PR.5",
    ])
      expect(b[k], k).toBe("PASS");
    expect(t["CT.CLOUDWATCH.PR.2"]).toBe("PASS");
  }, 240_000);
});
