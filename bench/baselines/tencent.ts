/** The Tencent SMS client, as the baselines that call Tencent make it at INIT. */
import { sms } from "tencentcloud-sdk-nodejs-sms";
import { env } from "./common";

const url = new URL(env.TENCENT_ENDPOINT ?? "https://sms.tencentcloudapi.com");
export const tencent = new sms.v20210111.Client({
  credential: { secretId: env.TENCENT_SECRET_ID, secretKey: env.TENCENT_SECRET_KEY },
  region: "ap-guangzhou",
  profile: { httpProfile: { endpoint: url.host, protocol: `${url.protocol}//`, reqTimeout: 5 } },
});
