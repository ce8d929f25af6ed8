/**
 * The demo app: created through the real admin API, its templates registered with the
 * emulator the way an operator registers them in the Tencent console.
 */
import type { TencentEmulator } from "./tencent-emulator/index";

export interface DemoTemplate {
  id: string;
  kind: "verification" | "notification" | "marketing";
  region: "domestic" | "international";
  body: string;
  tencentTemplateId: string;
}

export interface Demo {
  provider: "tencent";
  appId: string;
  apiKey: string;
  sign: string;
  templates: { id: string; kind: string; region: string; body: string }[];
}

export const DEMO_SIGN = "smsgate";
export const DEMO_TENCENT_SDK_APP_ID = "1400000001";
export const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    id: "login-code",
    kind: "verification",
    region: "domestic",
    body: "您的验证码是{1}，{2}分钟内有效。",
    tencentTemplateId: "1000001",
  },
  {
    id: "order-shipped",
    kind: "notification",
    region: "domestic",
    body: "您的订单{1}已发货，预计{2}送达。",
    tencentTemplateId: "1000002",
  },
  {
    id: "intl-code",
    kind: "verification",
    region: "international",
    body: "Your code is {1}. It expires in {2} minutes.",
    tencentTemplateId: "1000003",
  },
];

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

/** Registers an app's templates and callback URLs with the Tencent emulator. */
export function registerWithTencent(
  tencent: TencentEmulator,
  sdkAppId: string,
  callbackUrls: { status: string; reply: string },
  templates: DemoTemplate[],
): void {
  tencent.addApp({
    sdkAppId,
    statusCallbackUrl: callbackUrls.status,
    replyCallbackUrl: callbackUrls.reply,
  });
  for (const t of templates) {
    tencent.addTemplate({
      id: t.tencentTemplateId,
      body: t.body,
      international: t.region === "international",
      verification: t.kind === "verification",
    });
  }
}

/** Creates the demo app, or reuses `existing` if it still exists in the table. */
export async function seedDemo(
  apiUrl: string,
  adminKey: string,
  tencent: TencentEmulator,
  existing?: Demo,
): Promise<Demo> {
  let demo = existing;
  if (demo) {
    const res = await fetch(`${apiUrl}/v1/apps/${demo.appId}`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    });
    if (!res.ok) demo = undefined;
  }
  if (!demo) {
    const created = await call<{ app: { appId: string }; apiKey: string }>(
      apiUrl,
      adminKey,
      "POST",
      "/v1/apps",
      {
        name: "demo (tencent)",
        providers: [{ provider: "tencent", sdkAppId: DEMO_TENCENT_SDK_APP_ID }],
        defaultSign: DEMO_SIGN,
      },
    );
    for (const t of DEMO_TEMPLATES) {
      await call(apiUrl, created.apiKey, "PUT", `/v1/apps/${created.app.appId}/templates/${t.id}`, {
        kind: t.kind,
        region: t.region,
        body: t.body,
        providerTemplateIds: { tencent: t.tencentTemplateId },
      });
    }
    demo = {
      provider: "tencent",
      appId: created.app.appId,
      apiKey: created.apiKey,
      sign: DEMO_SIGN,
      templates: DEMO_TEMPLATES.map(({ tencentTemplateId: _t, ...rest }) => rest),
    };
  }
  const app = await call<{ callbackUrls: { tencent: { status: string; reply: string } } }>(
    apiUrl,
    demo.apiKey,
    "GET",
    `/v1/apps/${demo.appId}`,
  );
  registerWithTencent(tencent, DEMO_TENCENT_SDK_APP_ID, app.callbackUrls.tencent, DEMO_TEMPLATES);
  return demo;
}
