/** Callback parsers by provider name (no SDKs, no credentials). */
import { huaweiWebhooks } from "./huawei-webhooks";
import type { Webhooks } from "./port";
import { tencentWebhooks } from "./tencent-webhooks";

export const webhookParsers: Record<string, Webhooks> = {
  tencent: tencentWebhooks,
  huawei: huaweiWebhooks,
};
