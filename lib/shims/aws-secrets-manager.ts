/** Secrets Manager with only BatchGetSecretValue (see aws-ses.ts for why these entry points exist). */
export { BatchGetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
