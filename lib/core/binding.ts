/**
 * The vendor account a provider binding sends through. Callback tokens, reports and pull
 * queues are bound to it: several apps may share one Tencent SdkAppId (one status URL in
 * the console for all of them, docs/providers/tencent.md), and an app that names no
 * SdkAppId uses the deployment's, which is the same vendor queue as naming it.
 */
import type { Config } from "../config";
import type { ProviderBinding, ProviderName } from "./model";

export function bindingKey(
  config: Pick<Config, "TENCENT_SDK_APP_ID">,
  binding: Pick<ProviderBinding, "provider" | "sdkAppId">,
): string {
  if (binding.provider === "tencent")
    return `tencent:${binding.sdkAppId ?? config.TENCENT_SDK_APP_ID ?? "default"}`;
  // One Huawei SMS application per deployment (HUAWEI_APP_KEY): one account.
  return "huawei:default";
}

/** The key of an app's binding for a provider, or undefined if it does not use it. */
export function appBindingKey(
  config: Pick<Config, "TENCENT_SDK_APP_ID">,
  providers: readonly ProviderBinding[],
  provider: ProviderName | string,
): string | undefined {
  const b = providers.find((p) => p.provider === provider);
  return b && bindingKey(config, b);
}
