/** Callback parsers by provider name (no SDKs, no credentials). */
import { huaweiWebhooks } from "./huawei-webhooks";
import type { Webhooks } from "./port";
import { tencentWebhooks } from "./tencent-webhooks";

const parsers = new Map<string, Webhooks>([
  ["tencent", tencentWebhooks],
  ["huawei", huaweiWebhooks],
]);

/** A Map, not an object: a path naming "__proto__" or "constructor" finds nothing. */
export const webhookParsers = (name: string): Webhooks | undefined => parsers.get(name);
