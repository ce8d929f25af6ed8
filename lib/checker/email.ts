/**
 * Alert e-mails through Amazon SES, v2 API (SendEmail, POST /v2/email/outbound-emails, over
 * lib/aws/client.ts). Built only when the deployment names a verified sender
 * (SMSGATE_ALERT_EMAIL_FROM), on the first alert.
 */
import { type AwsJsonClient, awsJsonClient } from "../aws/client";
import { awsCredentials, type Config } from "../config";

export interface Mailer {
  /** Resolves with the SES message id; rejects when SES refuses or cannot be reached. */
  send(mail: { to: string; subject: string; text: string }): Promise<string>;
}

export function sesMailer(config: Config): Mailer | undefined {
  const from = config.SMSGATE_ALERT_EMAIL_FROM;
  if (!from) return undefined;
  let client: AwsJsonClient | undefined;
  return {
    async send({ to, subject, text }) {
      const region = config.SES_REGION ?? config.AWS_REGION;
      client ??= awsJsonClient({
        service: "ses",
        target: "",
        protocol: "rest-json",
        region,
        endpoint: config.SES_ENDPOINT ?? `https://email.${region}.amazonaws.com`,
        credentials: config.SES_ENDPOINT
          ? { accessKeyId: "local", secretAccessKey: "local" }
          : awsCredentials,
        maxAttempts: 2,
        timeoutMs: 5000,
      });
      const out: { MessageId?: string } = await client.post(
        "SendEmail",
        "/v2/email/outbound-emails",
        {
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: subject, Charset: "UTF-8" },
              Body: { Text: { Data: text, Charset: "UTF-8" } },
            },
          },
        },
      );
      return out.MessageId ?? "";
    },
  };
}
