/**
 * Bundle-only stand-in for @aws-sdk/credential-provider-node (esbuild alias in
 * serverless.yml). The DynamoDB client's default chain imports SSO, STS, INI and process
 * providers; on Lambda the role's credentials are in the environment, so the env provider is
 * the whole chain (docs/performance.md, levers). lib/store/db.ts passes it explicitly too.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
