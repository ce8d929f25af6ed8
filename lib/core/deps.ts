/**
 * The one shallow factory that wires ports to adapters from the configuration. Each
 * function builds its deps once per cold start; tests build them with overrides
 * (a fixed clock, another table).
 */

import { type Config, loadConfig } from "../config";
import type { Provider, Webhooks } from "../providers/port";
import { webhookParsers } from "../providers/webhooks";
import { createStore, type Store } from "../store";
import { createDb, dynamoClient } from "../store/db";
import type { RequestMeter } from "../store/meter";
import { type Clock, systemClock } from "./clock";
import { createLogger, type Logger } from "./log";
import type { ProviderName } from "./model";

export interface Providers {
  /** A provider that can send: only those with credentials in this deployment. */
  get(name: ProviderName): Provider | undefined;
  /** Callback parsing for a provider name; undefined for names we do not know. */
  webhooks(name: string): Webhooks | undefined;
}

/** Builds the providers that can send; only functions that send pass one (bundle size). */
export type SenderFactory = (config: Config) => Map<ProviderName, Provider>;

export interface Deps {
  config: Config;
  store: Store;
  providers: Providers;
  clock: Clock;
  log: Logger;
}

function providersFrom(config: Config, senders: SenderFactory | undefined): Providers {
  const built = senders?.(config) ?? new Map<ProviderName, Provider>();
  return { get: (name) => built.get(name), webhooks: webhookParsers };
}

export function createDeps(
  overrides: Partial<Deps> & {
    env?: NodeJS.ProcessEnv;
    meter?: RequestMeter;
    senders?: SenderFactory;
  } = {},
): Deps {
  const config = overrides.config ?? loadConfig(overrides.env);
  const client = dynamoClient(
    { region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT },
    (c) => overrides.meter?.attach(c),
  );
  return {
    config,
    store:
      overrides.store ??
      createStore({
        db: createDb(client, config.SMSGATE_TABLE),
        recordTtlDays: config.SMSGATE_RECORD_TTL_DAYS,
      }),
    providers: overrides.providers ?? providersFrom(config, overrides.senders),
    clock: overrides.clock ?? systemClock,
    log: overrides.log ?? createLogger(config.SMSGATE_LOG_LEVEL),
  };
}
