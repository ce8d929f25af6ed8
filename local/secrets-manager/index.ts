/**
 * A local AWS Secrets Manager on loopback: the AWS JSON 1.1 protocol the real
 * @aws-sdk/client-secrets-manager sends (POST /, X-Amz-Target: secretsmanager.<Operation>,
 * application/x-amz-json-1.1), SigV4-verified against the credentials it was given, with
 * AWS's error shapes. Operations: CreateSecret, PutSecretValue, GetSecretValue and
 * BatchGetSecretValue — what smsgate reads at cold start and what an operator writes
 * (docs/deploy.md "The secrets").
 *
 * Each credential may carry an allow-list of secret names, standing in for the IAM role of
 * one function: reading anything else is AccessDeniedException, as AWS answers.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isRecord, sendJson } from "../emulator-kit/http";
import { loopbackHost } from "../emulator-kit/server";
import { verifySigV4 } from "./sigv4";

const JSON_TYPE = "application/x-amz-json-1.1";
const ACCOUNT = "000000000000";

export interface SecretsCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Secret names this key may read; every secret when absent. */
  allow?: readonly string[];
}

export interface SecretsManagerOptions {
  port?: number;
  host?: string;
  region?: string;
  credentials: SecretsCredential[];
  /** ms clock for the signature's skew check (default Date.now). */
  now?: () => number;
}

interface Version {
  id: string;
  value: string;
  created: number;
}
interface Secret {
  name: string;
  arn: string;
  versions: Version[]; // newest (AWSCURRENT) first, then AWSPREVIOUS
}

export interface SecretsManager {
  url: string;
  /** Creates a secret, or puts a new current version of it (JSON-encoded when an object). */
  put(name: string, value: string | object): void;
  /** Requests by operation (signed or not), e.g. calls.BatchGetSecretValue. */
  calls: Record<string, number>;
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSecretsManager(opts: SecretsManagerOptions): Promise<SecretsManager> {
  const host = loopbackHost("secrets-manager", opts.host);
  const region = opts.region ?? "local";
  const now = opts.now ?? Date.now;
  const secrets = new Map<string, Secret>();
  const calls: Record<string, number> = {};
  const keys = new Map(opts.credentials.map((c) => [c.accessKeyId, c]));

  const put = (name: string, value: string) => {
    const version = { id: randomUUID(), value, created: now() };
    const existing = secrets.get(name);
    if (existing) {
      existing.versions = [version, ...existing.versions].slice(0, 2);
      return existing;
    }
    const suffix = randomBytes(4).toString("base64url").replace(/[-_]/g, "x").slice(0, 6);
    const secret = {
      name,
      arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${suffix}`,
      versions: [version],
    };
    secrets.set(name, secret);
    return secret;
  };
  const find = (id: unknown): Secret => {
    const secret =
      typeof id === "string"
        ? (secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id))
        : undefined;
    if (!secret)
      throw new AwsError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
      );
    return secret;
  };
  const readable = (key: SecretsCredential, id: unknown): Secret => {
    // AWS checks the permission before it says whether the secret exists.
    const name =
      typeof id === "string"
        ? id.replace(/-[A-Za-z0-9]{6}$/, "").replace(/^arn:.*:secret:/, "")
        : "";
    if (key.allow && !key.allow.includes(name))
      throw new AwsError(
        "AccessDeniedException",
        `User: ${key.accessKeyId} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${String(id)}`,
      );
    return find(id);
  };
  const secretValue = (s: Secret, stage = "AWSCURRENT") => {
    const v = stage === "AWSPREVIOUS" ? s.versions[1] : s.versions[0];
    if (!v || (stage !== "AWSCURRENT" && stage !== "AWSPREVIOUS"))
      throw new AwsError(
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
      );
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: v.id,
      SecretString: v.value,
      VersionStages: [v === s.versions[0] ? "AWSCURRENT" : "AWSPREVIOUS"],
      CreatedDate: v.created / 1000,
    };
  };
  const text = (value: unknown, field: string) => {
    if (typeof value !== "string" || value === "")
      throw new AwsError("InvalidParameterException", `${field} is required.`);
    return value;
  };

  const operations: Record<
    string,
    (key: SecretsCredential, input: Record<string, unknown>) => unknown
  > = {
    CreateSecret(_key, input) {
      const name = text(input.Name, "Name");
      if (secrets.has(name))
        throw new AwsError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      const s = put(name, text(input.SecretString, "SecretString"));
      return { ARN: s.arn, Name: s.name, VersionId: s.versions[0]?.id };
    },
    PutSecretValue(_key, input) {
      const s = find(input.SecretId);
      put(s.name, text(input.SecretString, "SecretString"));
      return {
        ARN: s.arn,
        Name: s.name,
        VersionId: s.versions[0]?.id,
        VersionStages: ["AWSCURRENT"],
      };
    },
    GetSecretValue(key, input) {
      return secretValue(readable(key, input.SecretId), input.VersionStage as string | undefined);
    },
    BatchGetSecretValue(key, input) {
      const ids = input.SecretIdList;
      if (input.Filters !== undefined)
        throw new AwsError(
          "InvalidRequestException",
          "Filters are not supported by this emulator.",
        );
      if (!Array.isArray(ids) || ids.length === 0)
        throw new AwsError(
          "InvalidParameterException",
          "Either Filters or SecretIdList is required.",
        );
      if (ids.length > 20)
        throw new AwsError(
          "InvalidParameterException",
          "SecretIdList may name at most 20 secrets.",
        );
      const SecretValues: unknown[] = [];
      const Errors: unknown[] = [];
      for (const id of ids) {
        try {
          SecretValues.push(secretValue(readable(key, id)));
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          Errors.push({ SecretId: id, ErrorCode: err.type, Message: err.message });
        }
      }
      return { SecretValues, Errors };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("secretsmanager.") ? target.slice(15) : "";
    calls[operation || "(none)"] = (calls[operation || "(none)"] ?? 0) + 1;
    const [path = "/", query = ""] = (req.url ?? "/").split(/\?(.*)/s);
    const auth = verifySigV4(
      { method: req.method ?? "POST", path, query, headers: req.headers, body },
      { service: "secretsmanager", secretOf: (k) => keys.get(k)?.secretAccessKey, nowMs: now() },
    );
    if (!auth.ok)
      throw new AwsError(
        auth.code,
        auth.message,
        auth.code === "MissingAuthenticationTokenException" ? 403 : 400,
      );
    const op = operations[operation];
    if (req.method !== "POST" || !op)
      throw new AwsError(
        "UnknownOperationException",
        `Unknown operation ${target || "(no X-Amz-Target)"}.`,
      );
    let input: unknown;
    try {
      input = JSON.parse(body.toString("utf8") || "{}");
    } catch {
      throw new AwsError("SerializationException", "The request body is not JSON.");
    }
    if (!isRecord(input))
      throw new AwsError("SerializationException", "The request body is not a JSON object.");
    const key = keys.get(auth.accessKeyId) as SecretsCredential;
    sendJson(res, 200, op(key, input), JSON_TYPE, { "x-amzn-RequestId": randomUUID() });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e =
        err instanceof AwsError
          ? err
          : new AwsError("InternalServiceError", (err as Error).message, 500);
      sendJson(res, e.status, { __type: e.type, message: e.message }, JSON_TYPE, {
        "x-amzn-RequestId": randomUUID(),
        "x-amzn-ErrorType": e.type,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    put: (name, value) => void put(name, typeof value === "string" ? value : JSON.stringify(value)),
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
