/**
 * The whole system on one machine: dynalite, the table, the vendor emulators and the HTTP
 * router in front of the real handlers. `npm start` and the integration tests both use it.
 */
import { mkdirSync } from "node:fs";
import type { Clock } from "../lib/core/clock";
import { createDeps, type Deps } from "../lib/core/deps";
import { randomToken } from "../lib/core/ids";
import { createLogger, type Level } from "../lib/core/log";
import { createSenders } from "../lib/providers/senders";
import { RequestMeter } from "../lib/store/meter";
import { type Runner, startCampaignRunner } from "./campaign-runner";
import { ensureTable, localClient, startDynalite, startDynamoDbLocal } from "./dynamo";
import { type HuaweiEmulator, startHuaweiEmulator } from "./huawei-emulator/index";
import { type HttpFunction, startRouter } from "./router";
import { ALERT_TEMPLATE_IDS, DEMO_HUAWEI_SENDER, DEMO_TENCENT_SDK_APP_ID } from "./seed";
import { httpRoutes } from "./serverless-config";
import { type SesEmulator, startSesEmulator } from "./ses-emulator/index";
import { type SqsEmulator, startSqsEmulator } from "./sqs-emulator/index";
import { startTencentEmulator, type TencentEmulator } from "./tencent-emulator/index";

export interface StackOptions {
  /** dynalite data directory; in memory when absent. */
  dataDir?: string;
  /** Which DynamoDB stands in: dynalite (default) or DynamoDB Local (needs Java). */
  store?: "dynalite" | "dynamodb-local";
  port?: number;
  dynamoPort?: number;
  tencentPort?: number;
  adminKey?: string;
  /** The master secret list, current first ("new,old"); generated when not given. */
  masterSecret?: string;
  clock?: Clock;
  logLevel?: Level;
  /** How soon the emulator pushes a delivery report. */
  reportDelayMs?: number;
  /** The Tencent SDK's request timeout. */
  tencentTimeoutSeconds?: number;
  /** Make smsgate sign with a different Tencent secret than the emulator expects. */
  tencentSecretKeyOverride?: string;
  huaweiPort?: number;
  /** Make smsgate sign with a different Huawei app secret than the emulator expects. */
  huaweiAppSecretOverride?: string;
  sesPort?: number;
  sqsPort?: number;
  /** Campaigns: run the worker on the queue (default true), and its settings. */
  campaignWorker?: boolean;
  campaignVisibilityTimeout?: number;
  campaignRecheckSeconds?: number;
  campaignLanes?: number;
  campaignChunkRows?: number;
  /** Webhooks: run the worker on the webhook queue (default true). */
  webhookWorker?: boolean;
}

export interface Stack {
  apiUrl: string;
  adminKey: string;
  masterSecret: string;
  tencent: TencentEmulator;
  huawei: HuaweiEmulator;
  /** Amazon SES v2 stand-in: the alert e-mails it accepted (local/ses-emulator). */
  ses: SesEmulator;
  /** The Huawei emulator's app key (whose reply URL routeCallbacks sets). */
  huaweiAppKey: string;
  deps: Deps;
  /** Counts the handlers' DynamoDB requests and round trips. */
  meter: RequestMeter;
  handlers: Record<string, HttpFunction>;
  /** Runs the threshold checker once. */
  runChecker(): Promise<unknown>;
  /** The campaign queue (SQS emulator) and its worker. */
  sqs: SqsEmulator;
  campaignQueueUrl: string;
  startCampaignWorker(): void;
  stopCampaignWorker(): Promise<void>;
  /** The webhook queue (SQS emulator) and its worker, which delivers app webhooks. */
  webhookQueueUrl: string;
  startWebhookWorker(): void;
  stopWebhookWorker(): Promise<void>;
  close(): Promise<void>;
}

export const LOCAL_TABLE = "smsgate-local";
const TENCENT_SDK_APP_ID = DEMO_TENCENT_SDK_APP_ID;
/** The verified SES identity alert e-mails come from, locally. */
export const LOCAL_ALERT_EMAIL_FROM = "alerts@smsgate.local";

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const dynamo =
    opts.store === "dynamodb-local"
      ? await startDynamoDbLocal()
      : await startDynalite({
          port: opts.dynamoPort,
          path: opts.dataDir ? `${opts.dataDir}/dynamodb` : undefined,
        });
  const secretId = `AKIDlocal${randomToken(12).replace(/[-_]/g, "x")}`;
  const secretKey = randomToken(24);
  const tencent = await startTencentEmulator({
    port: opts.tencentPort,
    credentials: [{ secretId, secretKey }],
    apps: [{ sdkAppId: TENCENT_SDK_APP_ID }],
    reportDelayMs: opts.reportDelayMs ?? 300,
  });
  const huaweiAppKey = `hwlocal${randomToken(9).replace(/[-_]/g, "x")}`;
  const huaweiAppSecret = randomToken(24);
  const huawei = await startHuaweiEmulator({
    port: opts.huaweiPort,
    credentials: [{ appKey: huaweiAppKey, appSecret: huaweiAppSecret }],
    reportDelayMs: opts.reportDelayMs ?? 300,
  });
  const ses = await startSesEmulator({ port: opts.sesPort, identities: [LOCAL_ALERT_EMAIL_FROM] });
  const sqs = await startSqsEmulator({ port: opts.sqsPort });
  const visibility = opts.campaignVisibilityTimeout ?? 30;
  // As serverless.yml declares them: the campaign queue redrives to its dead-letter queue.
  const campaignQueueUrl = sqs.queueUrl("smsgate-local-campaigns", {
    visibilityTimeout: visibility,
    deadLetter: { queue: "smsgate-local-campaigns-dlq", maxReceiveCount: 5 },
  });
  // As serverless.yml declares it: wake-ups for the webhook worker (lib/webhooks/queue.ts).
  const webhookQueueUrl = sqs.queueUrl("smsgate-local-webhooks", {
    visibilityTimeout: 60,
    deadLetter: { queue: "smsgate-local-webhooks-dlq", maxReceiveCount: 5 },
  });
  const handlers: Record<string, HttpFunction> = {};
  const routes = httpRoutes();
  const router = await startRouter({ port: opts.port, routes, handlers });
  const adminKey = opts.adminKey ?? `sgadmin_${randomToken(24)}`;
  // The master secret(s), current first: separate from the operator key (lib/core/secrets.ts).
  const masterSecret = opts.masterSecret ?? `sgmaster_${randomToken(24)}`;

  // The handlers read their configuration from the environment, as on Lambda.
  Object.assign(process.env, {
    SMSGATE_TABLE: LOCAL_TABLE,
    AWS_REGION: "local",
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    SMSGATE_ADMIN_KEY: adminKey,
    SMSGATE_SECRET: masterSecret,
    SMSGATE_PUBLIC_URL: router.url,
    SMSGATE_LOG_LEVEL: opts.logLevel ?? "warn",
    SMSGATE_WEBHOOK_ALLOW_LOOPBACK: process.env.SMSGATE_WEBHOOK_ALLOW_LOOPBACK ?? "true",
    TENCENT_SECRET_ID: secretId,
    TENCENT_SECRET_KEY: opts.tencentSecretKeyOverride ?? secretKey,
    TENCENT_SDK_APP_ID: TENCENT_SDK_APP_ID,
    TENCENT_ENDPOINT: tencent.url,
    TENCENT_TIMEOUT_SECONDS: String(opts.tencentTimeoutSeconds ?? 5),
    HUAWEI_APP_KEY: huaweiAppKey,
    HUAWEI_APP_SECRET: opts.huaweiAppSecretOverride ?? huaweiAppSecret,
    HUAWEI_ENDPOINT: huawei.url,
    HUAWEI_TIMEOUT_SECONDS: String(opts.tencentTimeoutSeconds ?? 5),
    HUAWEI_SENDER: DEMO_HUAWEI_SENDER,
    TENCENT_ALERT_TEMPLATE_ID: ALERT_TEMPLATE_IDS.tencent,
    HUAWEI_ALERT_TEMPLATE_ID: ALERT_TEMPLATE_IDS.huawei,
    TENCENT_ALERT_TEMPLATE_ID_INTERNATIONAL: ALERT_TEMPLATE_IDS.tencentInternational,
    SMSGATE_ALERT_EMAIL_FROM: LOCAL_ALERT_EMAIL_FROM,
    SES_ENDPOINT: ses.url,
    SMSGATE_CAMPAIGN_QUEUE_URL: campaignQueueUrl,
    SMSGATE_WEBHOOK_QUEUE_URL: webhookQueueUrl,
    SMSGATE_CAMPAIGN_RECHECK_SECONDS: String(opts.campaignRecheckSeconds ?? 900),
    SMSGATE_CAMPAIGN_LANES: String(opts.campaignLanes ?? 4),
    SMSGATE_CAMPAIGN_CHUNK_ROWS: String(opts.campaignChunkRows ?? 200),
  });
  const meter = new RequestMeter();
  const deps = createDeps({
    clock: opts.clock,
    log: createLogger(opts.logLevel ?? "warn"),
    meter,
    senders: createSenders,
  });
  // Not through the store: creating tables is the deployment's job (CloudFormation) there.
  await ensureTable(localClient(dynamo.endpoint), LOCAL_TABLE);

  const modules = {
    send: await import("../lib/send/handler"),
    "status-callback": await import("../lib/callbacks/status-handler"),
    reply: await import("../lib/callbacks/reply-handler"),
    admin: await import("../lib/admin/handler"),
    campaigns: await import("../lib/campaigns/handler"),
  };
  for (const [name, mod] of Object.entries(modules)) {
    const handler = mod.makeHandler(deps) as HttpFunction;
    // A test may count one request's DynamoDB calls on their own (x-meter-label).
    handlers[name] = (event) =>
      meter.run(event.headers?.["x-meter-label"] ?? name, () => handler(event));
  }
  const check = (await import("../lib/checker/handler")).makeHandler(deps);
  const checker = () => meter.run("threshold-check", () => check());
  const work = (await import("../lib/campaigns/worker")).makeHandler(deps);
  let runner: Runner | undefined;
  const startCampaignWorker = () => {
    runner ??= startCampaignRunner({
      queueUrl: campaignQueueUrl,
      handler: (event) => meter.run("campaign-worker", () => work(event)),
      visibilityTimeout: visibility,
      onError: (err) => deps.log.warn("campaign runner", { err: err as Error }),
    });
  };
  const stopCampaignWorker = async () => {
    const r = runner;
    runner = undefined;
    await r?.stop();
  };
  if (opts.campaignWorker !== false) startCampaignWorker();
  const deliver = (await import("../lib/callbacks/webhook-worker")).makeHandler(deps);
  let webhookRunner: Runner | undefined;
  const startWebhookWorker = () => {
    webhookRunner ??= startCampaignRunner({
      queueUrl: webhookQueueUrl,
      handler: (event) => meter.run("webhook-worker", () => deliver(event)),
      visibilityTimeout: 60,
      concurrency: 4,
      batchSize: 10,
      onError: (err) => deps.log.warn("webhook runner", { err: err as Error }),
    });
  };
  const stopWebhookWorker = async () => {
    const r = webhookRunner;
    webhookRunner = undefined;
    await r?.stop();
  };
  if (opts.webhookWorker !== false) startWebhookWorker();

  return {
    apiUrl: router.url,
    adminKey,
    masterSecret,
    tencent,
    huawei,
    ses,
    huaweiAppKey,
    deps,
    meter,
    handlers,
    runChecker: () => checker(),
    sqs,
    campaignQueueUrl,
    startCampaignWorker,
    stopCampaignWorker,
    webhookQueueUrl,
    startWebhookWorker,
    stopWebhookWorker,
    async close() {
      await stopCampaignWorker();
      await stopWebhookWorker();
      await sqs.close();
      await router.close();
      await tencent.close();
      await huawei.close();
      await ses.close();
      await dynamo.close();
    },
  };
}
