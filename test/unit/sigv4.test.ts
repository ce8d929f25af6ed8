/**
 * smsgate signs its AWS calls itself (lib/aws/sigv4.ts). The AWS SDK's own signer is the
 * oracle: for the same request, time and credentials both must produce the same
 * Authorization header, byte for byte, or AWS would refuse every call.
 */
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amzDate, sign } from "../../lib/aws/sigv4";

/** The hash the SDK's signer is given in Node (@smithy/hash-node does the same): keyed = HMAC. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data: string | Uint8Array) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

async function sdkSigned(
  path: string,
  host: string,
  headers: Record<string, string>,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  service: string,
  at: number,
) {
  // applyChecksum off: the SDK then signs exactly the headers given, as smsgate does (AWS
  // wants x-amz-content-sha256 only from S3).
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: Sha256 as never,
    applyChecksum: false,
  });
  const out = await signer.sign(
    { method: "POST", protocol: "https:", hostname: host, path, query: {}, headers, body },
    { signingDate: new Date(at) },
  );
  return out.headers as Record<string, string>;
}

describe("SigV4 signing", () => {
  it("signs a DynamoDB call exactly as the AWS SDK does, session token and all", async () => {
    const at = Date.UTC(2026, 11, 2, 1, 2, 3);
    const creds = {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//token==",
    };
    const headers = {
      "content-type": "application/x-amz-json-1.0",
      host: "dynamodb.ap-guangzhou.amazonaws.com",
      "x-amz-target": "DynamoDB_20120810.UpdateItem",
    };
    const body = JSON.stringify({ TableName: "smsgate", Key: { pk: { S: "APP#1" } } });
    const ours = sign(
      "/",
      headers,
      body,
      creds,
      { region: "ap-guangzhou", service: "dynamodb" },
      at,
    );
    const theirs = await sdkSigned(
      "/",
      headers.host,
      headers,
      body,
      creds,
      "ap-guangzhou",
      "dynamodb",
      at,
    );
    expect(ours["x-amz-date"]).toBe("20261202T010203Z");
    expect(ours["x-amz-security-token"]).toBe(creds.sessionToken);
    expect(ours.authorization).toBe(theirs.authorization);
  });

  it("agrees with the SDK for any body, host, region, service and time", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.constantFrom("sqs", "secretsmanager", "dynamodb", "ses"),
        fc.constantFrom("/", "/v2/email/outbound-emails"),
        fc.constantFrom("us-east-1", "ap-guangzhou", "eu-central-1"),
        fc.constantFrom("127.0.0.1:8000", "sqs.us-east-1.amazonaws.com"),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.boolean(),
        async (body, service, path, region, host, at, withToken) => {
          const creds = {
            accessKeyId: "AKIDPROP",
            secretAccessKey: "secret/with+chars",
            ...(withToken ? { sessionToken: "tok en" } : {}),
          };
          const headers = {
            "content-type": "application/x-amz-json-1.1",
            host,
            "x-amz-target": `${service}.Op`,
          };
          const ours = sign(path, headers, body, creds, { region, service }, at);
          const theirs = await sdkSigned(path, host, headers, body, creds, region, service, at);
          expect(ours.authorization).toBe(theirs.authorization);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes X-Amz-Date without separators or milliseconds", () => {
    expect(amzDate(Date.UTC(2026, 0, 9, 23, 59, 58, 999))).toBe("20260109T235958Z");
  });
});
