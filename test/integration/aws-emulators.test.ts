/**
 * smsgate's functions call AWS through their own client (lib/aws/client.ts), and every suite
 * runs that client against the local SQS, Secrets Manager and SES emulators. For that to
 * prove anything about AWS, the emulators must answer what the AWS SDK itself sends the way
 * the client expects: here the SDK and smsgate's client make the same call to each emulator
 * and must both succeed with the same result.
 */
import { BatchGetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsJsonClient } from "../../lib/aws/client";
import { type SecretsManager, startSecretsManager } from "../../local/secrets-manager/index";
import { type SesEmulator, startSesEmulator } from "../../local/ses-emulator/index";
import { type SqsEmulator, startSqsEmulator } from "../../local/sqs-emulator/index";

const KEY = { accessKeyId: "AKIDEMULATORS", secretAccessKey: "emulators-secret-key" };
const REGION = "ap-southeast-1";
let sm: SecretsManager;
let ses: SesEmulator;
let sqs: SqsEmulator;

beforeAll(async () => {
  [sm, ses, sqs] = await Promise.all([
    startSecretsManager({ credentials: [KEY], region: REGION }),
    startSesEmulator({ identities: ["alerts@example.com"] }),
    startSqsEmulator(),
  ]);
  sm.put("smsgate/emu/master", { secrets: ["master-0123456789abcdef"] });
});
afterAll(async () => {
  await Promise.all([sm?.close(), ses?.close(), sqs?.close()]);
});

describe("the AWS emulators answer the SDK and smsgate's client alike", () => {
  it("Secrets Manager: BatchGetSecretValue, SigV4 verified for both", async () => {
    const input = { SecretIdList: ["smsgate/emu/master"] };
    const sdk = await new SecretsManagerClient({
      region: REGION,
      endpoint: sm.url,
      credentials: KEY,
    }).send(new BatchGetSecretValueCommand(input));
    const ours = await awsJsonClient({
      service: "secretsmanager",
      target: "secretsmanager",
      protocol: "1.1",
      region: REGION,
      endpoint: sm.url,
      credentials: KEY,
    }).call("BatchGetSecretValue", input);
    expect(sdk.SecretValues?.[0]?.SecretString).toBe('{"secrets":["master-0123456789abcdef"]}');
    expect(ours.SecretValues[0].SecretString).toBe(sdk.SecretValues?.[0]?.SecretString);
    // A wrong secret key is refused for our client as for the SDK.
    const refused = await awsJsonClient({
      service: "secretsmanager",
      target: "secretsmanager",
      protocol: "1.1",
      region: REGION,
      endpoint: sm.url,
      credentials: { ...KEY, secretAccessKey: "wrong" },
    })
      .call("BatchGetSecretValue", input)
      .catch((e) => e);
    expect(refused.name).toBe("InvalidSignatureException");
  });

  it("SQS: SendMessageBatch to the queue's URL", async () => {
    const url = sqs.queueUrl("emu");
    const entries = (tag: string) => [
      { Id: "0", MessageBody: JSON.stringify({ tag }), DelaySeconds: 0 },
    ];
    const sdk = await new SQSClient({
      region: REGION,
      endpoint: new URL(url).origin,
      credentials: KEY,
    }).send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries("sdk") }));
    const ours = await awsJsonClient({
      service: "sqs",
      target: "AmazonSQS",
      protocol: "1.0",
      region: REGION,
      endpoint: new URL(url).origin,
      credentials: KEY,
    }).call("SendMessageBatch", { QueueUrl: url, Entries: entries("ours") });
    expect(sdk.Successful?.map((s) => s.Id)).toEqual(["0"]);
    expect(ours.Successful.map((s: { Id: string }) => s.Id)).toEqual(["0"]);
    expect(sqs.depth("emu").visible).toBe(2);
  });

  it("SES v2: SendEmail, and a refused sender named the same way", async () => {
    const mail = (from: string) => ({
      FromEmailAddress: from,
      Destination: { ToAddresses: ["ops@example.com"] },
      Content: {
        Simple: {
          Subject: { Data: "s", Charset: "UTF-8" },
          Body: { Text: { Data: "t", Charset: "UTF-8" } },
        },
      },
    });
    const sdkClient = new SESv2Client({ region: REGION, endpoint: ses.url, credentials: KEY });
    const ours = awsJsonClient({
      service: "ses",
      target: "",
      protocol: "rest-json",
      region: REGION,
      endpoint: ses.url,
      credentials: KEY,
    });
    const sdk = await sdkClient.send(new SendEmailCommand(mail("alerts@example.com")));
    const mine = await ours.post(
      "SendEmail",
      "/v2/email/outbound-emails",
      mail("alerts@example.com"),
    );
    expect(sdk.MessageId).toBeTruthy();
    expect(mine.MessageId).toBeTruthy();
    expect(ses.emails().map((e) => e.messageId)).toEqual([sdk.MessageId, mine.MessageId]);

    const sdkRefused = await sdkClient
      .send(new SendEmailCommand(mail("nobody@example.org")))
      .catch((e) => e);
    const ourRefused = await ours
      .post("SendEmail", "/v2/email/outbound-emails", mail("nobody@example.org"))
      .catch((e) => e);
    expect(sdkRefused.name).toBe("MessageRejected");
    expect(ourRefused.name).toBe(sdkRefused.name);
    expect(ourRefused.message).toBe(sdkRefused.message);
  });
});
