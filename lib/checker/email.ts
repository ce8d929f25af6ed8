/**
 * Alert e-mails through Amazon SES, v2 API (SendEmail; the client bundled with that one
 * command, lib/shims/aws-ses.ts). Built only when the
 * deployment names a verified sender (SMSGATE_ALERT_EMAIL_FROM), on the first alert.
 */
import type { Config } from "../config";

export interface Mailer {
  /** Resolves with the SES message id; rejects when SES refuses or cannot be reached. */
  send(mail: { to: string; subject: string; text: string }): Promise<string>;
}

type Ses = typeof import("../shims/aws-ses");

export function sesMailer(config: Config): Mailer | undefined {
  const from = config.SMSGATE_ALERT_EMAIL_FROM;
  if (!from) return undefined;
  let client: Promise<{ sdk: Ses; client: InstanceType<Ses["SESv2Client"]> }> | undefined;
  const made = () => {
    client ??= import("../shims/aws-ses").then((sdk) => ({
      sdk,
      client: new sdk.SESv2Client({
        region: config.SES_REGION ?? config.AWS_REGION,
        endpoint: config.SES_ENDPOINT,
        ...(config.SES_ENDPOINT
          ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
          : {}),
        maxAttempts: 2,
      }),
    }));
    return client;
  };
  return {
    async send({ to, subject, text }) {
      const { sdk, client: ses } = await made();
      const out = await ses.send(
        new sdk.SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: subject, Charset: "UTF-8" },
              Body: { Text: { Data: text, Charset: "UTF-8" } },
            },
          },
        }),
        { abortSignal: AbortSignal.timeout(5000) },
      );
      return out.MessageId ?? "";
    },
  };
}
