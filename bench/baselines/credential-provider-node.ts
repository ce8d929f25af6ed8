/**
 * The baselines' stand-in for @aws-sdk/credential-provider-node (an esbuild alias in
 * bench/run.ts). The DynamoDB client's default chain imports SSO, STS, INI and process
 * providers; on Lambda the role's credentials are in the environment, so a careful hand-built
 * function makes the env provider the whole chain (docs/performance.md, method).
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
