/**
 * The demo apps, one per provider: created through the real admin API, their templates and
 * channels registered with the emulators the way an operator registers them in each console.
 */
import { ALERT_PARAM_MAX, ALERT_TEMPLATE_BODY } from "../lib/rules/alerts";
import type { HuaweiEmulator } from "./huawei-emulator/index";
import type { TencentEmulator } from "./tencent-emulator/index";

export interface DemoTemplate {
  id: string;
  kind: "verification" | "notification" | "marketing";
  region: "domestic" | "international";
  body: string;
  tencentTemplateId: string;
  huaweiTemplateId: string;
}

export type DemoProvider = "tencent" | "huawei";

export interface Demo {
  provider: DemoProvider;
  appId: string;
  apiKey: string;
  sign: string;
  templates: { id: string; kind: string; region: string; body: string }[];
}

export const DEMO_SIGN = "smsgate";
export const DEMO_TENCENT_SDK_APP_ID = "1400000001";
/** Huawei channel numbers (通道号): one for the mainland signature, one international. */
export const DEMO_HUAWEI_SENDER = "csms100000001";
export const DEMO_HUAWEI_INTL_SENDER = "isms100000001";
export const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    id: "login-code",
    kind: "verification",
    region: "domestic",
    body: "您的验证码是{1}，{2}分钟内有效。",
    tencentTemplateId: "1000001",
    huaweiTemplateId: "8ff55eac1d0b478ab3c06c3c6a492300",
  },
  {
    id: "order-shipped",
    kind: "notification",
    region: "domestic",
    body: "您的订单{1}已发货，预计{2}送达。",
    tencentTemplateId: "1000002",
    huaweiTemplateId: "8ff55eac1d0b478ab3c06c3c6a492301",
  },
  {
    id: "intl-code",
    kind: "verification",
    region: "international",
    body: "Your code is {1}. It expires in {2} minutes.",
    tencentTemplateId: "1000003",
    huaweiTemplateId: "8ff55eac1d0b478ab3c06c3c6a492302",
  },
];

/** The provider binding a demo app (or a test app) uses. */
export function demoBinding(provider: DemoProvider) {
  return provider === "tencent"
    ? { provider, sdkAppId: DEMO_TENCENT_SDK_APP_ID }
    : { provider, sender: DEMO_HUAWEI_SENDER, senders: { [DEMO_SIGN]: DEMO_HUAWEI_SENDER } };
}

async function call<T>(
  apiUrl: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The built-in alert template's ids in the emulated consoles (the local stack's env). */
export const ALERT_TEMPLATE_IDS = {
  tencent: "1000009",
  huawei: "8ff55eac1d0b478ab3c06c3c6a4923ff",
  tencentInternational: "1000010",
};

/** Registers the demo templates and channels with the emulators (they keep no state). */
export function registerTemplates(tencent: TencentEmulator, huawei: HuaweiEmulator): void {
  tencent.addTemplate({
    id: ALERT_TEMPLATE_IDS.tencent,
    body: ALERT_TEMPLATE_BODY,
    international: false,
    maxParamLength: ALERT_PARAM_MAX, // a new account's default (docs/providers/tencent.md §5.3)
  });
  tencent.addTemplate({
    id: ALERT_TEMPLATE_IDS.tencentInternational,
    body: ALERT_TEMPLATE_BODY,
    international: true,
    maxParamLength: ALERT_PARAM_MAX,
  });
  huawei.addTemplate({
    id: ALERT_TEMPLATE_IDS.huawei,
    body: ALERT_TEMPLATE_BODY,
    sender: DEMO_HUAWEI_SENDER,
    typedVariables: true,
  });
  for (const t of DEMO_TEMPLATES) {
    const international = t.region === "international";
    tencent.addTemplate({
      id: t.tencentTemplateId,
      body: t.body,
      international,
      verification: t.kind === "verification",
    });
    // Huawei verification templates hold one variable (docs/providers/huawei.md §6.2); these hold two, so
    // they are registered there as notification templates.
    huawei.addTemplate({
      id: t.huaweiTemplateId,
      body: t.body,
      sender: international ? DEMO_HUAWEI_INTL_SENDER : DEMO_HUAWEI_SENDER,
    });
  }
  huawei.addSender({ sender: DEMO_HUAWEI_SENDER, signature: DEMO_SIGN });
  huawei.addSender({ sender: DEMO_HUAWEI_INTL_SENDER, international: true });
}

/** Creates an app through the API with the demo templates; returns its id and key. */
export async function createDemoApp(
  apiUrl: string,
  adminKey: string,
  providers: DemoProvider[],
  settings: object = {},
) {
  const created = await call<{ app: { appId: string }; apiKey: string }>(
    apiUrl,
    adminKey,
    "POST",
    "/v1/apps",
    {
      name: `demo (${providers.join(", ")})`,
      providers: providers.map(demoBinding),
      defaultSign: DEMO_SIGN,
      ...settings,
    },
  );
  for (const t of DEMO_TEMPLATES) {
    await call(apiUrl, created.apiKey, "PUT", `/v1/apps/${created.app.appId}/templates/${t.id}`, {
      kind: t.kind,
      region: t.region,
      body: t.body,
      providerTemplateIds: { tencent: t.tencentTemplateId, huawei: t.huaweiTemplateId },
    });
  }
  return { appId: created.app.appId, apiKey: created.apiKey };
}

/** Points an emulator's callbacks for the demo account at one app. */
export async function routeCallbacks(
  apiUrl: string,
  app: { appId: string; apiKey: string },
  provider: DemoProvider,
  emulators: { tencent: TencentEmulator; huawei: HuaweiEmulator },
  huaweiAppKey: string,
) {
  const { callbackUrls } = await call<{
    callbackUrls: Record<DemoProvider, { status: string; reply: string }>;
  }>(apiUrl, app.apiKey, "GET", `/v1/apps/${app.appId}`);
  if (provider === "tencent") {
    emulators.tencent.addApp({
      sdkAppId: DEMO_TENCENT_SDK_APP_ID,
      statusCallbackUrl: callbackUrls.tencent.status,
      replyCallbackUrl: callbackUrls.tencent.reply,
    });
  } else {
    // Huawei is told the status URL with every send; only replies need configuring.
    emulators.huawei.setReplyUrl(huaweiAppKey, callbackUrls.huawei.reply);
  }
}

/** Creates the demo app of each provider, or reuses `existing` ones that still exist. */
export async function seedDemos(
  apiUrl: string,
  adminKey: string,
  emulators: { tencent: TencentEmulator; huawei: HuaweiEmulator },
  huaweiAppKey: string,
  existing: Demo[] = [],
): Promise<Demo[]> {
  registerTemplates(emulators.tencent, emulators.huawei);
  const demos: Demo[] = [];
  for (const provider of ["tencent", "huawei"] as const) {
    let demo = existing.find((d) => d.provider === provider);
    if (demo) {
      const res = await fetch(`${apiUrl}/v1/apps/${demo.appId}`, {
        headers: { authorization: `Bearer ${demo.apiKey}` },
      });
      if (!res.ok) demo = undefined;
    }
    if (!demo) {
      const app = await createDemoApp(apiUrl, adminKey, [provider]);
      demo = {
        provider,
        ...app,
        sign: DEMO_SIGN,
        templates: DEMO_TEMPLATES.map(
          ({ tencentTemplateId: _t, huaweiTemplateId: _h, ...rest }) => rest,
        ),
      };
    }
    await routeCallbacks(apiUrl, demo, provider, emulators, huaweiAppKey);
    demos.push(demo);
  }
  return demos;
}
