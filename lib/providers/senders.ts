/** The providers this deployment can send through: those whose credentials are configured. */
import type { Config } from "../config";
import type { ProviderName } from "../core/model";
import { createHuaweiProvider } from "./huawei";
import type { Provider } from "./port";
import { createTencentProvider } from "./tencent";

export function createSenders(config: Config): Map<ProviderName, Provider> {
  const built = new Map<ProviderName, Provider>();
  if (config.TENCENT_SECRET_ID && config.TENCENT_SECRET_KEY) {
    built.set(
      "tencent",
      createTencentProvider({
        secretId: config.TENCENT_SECRET_ID,
        secretKey: config.TENCENT_SECRET_KEY,
        endpoint: config.TENCENT_ENDPOINT,
        region: config.TENCENT_REGION,
        timeoutSeconds: config.TENCENT_TIMEOUT_SECONDS,
        defaultSdkAppId: config.TENCENT_SDK_APP_ID,
      }),
    );
  }
  if (config.HUAWEI_APP_KEY && config.HUAWEI_APP_SECRET) {
    built.set(
      "huawei",
      createHuaweiProvider({
        appKey: config.HUAWEI_APP_KEY,
        appSecret: config.HUAWEI_APP_SECRET,
        endpoint: config.HUAWEI_ENDPOINT,
        timeoutSeconds: config.HUAWEI_TIMEOUT_SECONDS,
        defaultSender: config.HUAWEI_SENDER,
      }),
    );
  }
  return built;
}
