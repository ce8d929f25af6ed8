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
import { loadConfig } from "../../lib/config";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "smsgate-deployment-"));
const service = join(work, "service");

const FUNCTIONS = [
  "send",
  "status-callback",
  "reply",
  "threshold-check",
  "admin",
  "campaigns",
  "campaign-worker",
] as const;
type FunctionName = (typeof FUNCTIONS)[number];
const HTTP_FUNCTIONS: FunctionName[] = ["send", "status-callback", "reply", "admin", "campaigns"];
const SECRET = "smsgate/dev";
const ref = (key: string) => `{{resolve:secretsmanager:${SECRET}:SecretString:${key}}}`;

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
const TUNED = {
  tencent: "false",
  huawei: "true",
  smsgateSecret: "true",
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
}, 240_000);
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
    // One dead-letter alarm per dead-letter queue: the checker's, and the campaigns'.
    const dead = metricAlarms(base, "AWS/SQS", "ApproximateNumberOfMessagesVisible").filter(
      (a) =>
        JSON.stringify(dimension(a.p, "QueueName")) !==
        JSON.stringify({ "Fn::GetAtt": ["CampaignDeadLetterQueue", "QueueName"] }),
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
    // Lambda writes the dead letter with the function's own role.
    const role = resource(base, checker.Role["Fn::GetAtt"][0]);
    const sends = (role.Properties.Policies as Json[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s: Json) => s.Action.includes("sqs:SendMessage"));
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

describe("providers and settings, from parameters", () => {
  it("give vendor credentials only to the functions that send, from the secret", () => {
    expect(env(base, "send")).toMatchObject({
      TENCENT_SECRET_ID: ref("tencentSecretId"),
      TENCENT_SECRET_KEY: ref("tencentSecretKey"),
      TENCENT_SDK_APP_ID: ref("tencentSdkAppId"),
      TENCENT_ALERT_TEMPLATE_ID: ref("tencentAlertTemplateId"),
    });
    expect(env(base, "threshold-check").TENCENT_SECRET_KEY).toBe(ref("tencentSecretKey"));
    // Huawei is off by default: none of its keys is referenced (a missing key fails a deploy).
    expect(JSON.stringify(base)).not.toMatch(/huawei(AppKey|AppSecret)/);
    expect(env(base, "campaign-worker").TENCENT_SECRET_KEY).toBe(ref("tencentSecretKey"));
    for (const name of ["status-callback", "reply", "admin", "campaigns"] as const) {
      expect(
        Object.keys(env(base, name)).filter((k) => /^(TENCENT|HUAWEI)_/.test(k)),
        name,
      ).toEqual([]);
      expect(env(base, name).SMSGATE_ADMIN_KEY).toBe(ref("adminKey"));
    }
  });

  it("switch providers and set their non-secret values without editing serverless.yml", () => {
    const send = env(tuned, "send");
    expect(send).toMatchObject({
      HUAWEI_APP_KEY: ref("huaweiAppKey"),
      HUAWEI_APP_SECRET: ref("huaweiAppSecret"),
      HUAWEI_ENDPOINT: TUNED.huaweiEndpoint,
      HUAWEI_SENDER: TUNED.huaweiSender,
      HUAWEI_ALERT_TEMPLATE_ID: TUNED.huaweiAlertTemplateId,
      SMSGATE_SECRET: ref("smsgateSecret"),
      SMSGATE_PUBLIC_URL: TUNED.publicUrl,
    });
    expect(JSON.stringify(tuned)).not.toMatch(/tencentSecret(Id|Key)/);
    // Unset optional values are left out, so lib/config's defaults apply (an empty string
    // would fail its checks at every cold start).
    expect(env(base, "send")).not.toHaveProperty("HUAWEI_ENDPOINT");
    expect(env(base, "send")).not.toHaveProperty("SMSGATE_PUBLIC_URL");
  });

  it("are all variables lib/config reads, with values it accepts", () => {
    for (const t of [base, tuned])
      for (const name of FUNCTIONS) {
        const e = Object.fromEntries(
          Object.entries(env(t, name)).map(([k, v]) => [
            k,
            // The campaign queue's URL is a CloudFormation Ref, resolved at deploy time.
            typeof v !== "string"
              ? "https://sqs.ap-southeast-1.amazonaws.com/000000000000/smsgate-dev-campaigns"
              : v.startsWith("{{resolve:")
                ? "resolved-at-deploy-time"
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
