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

/**
 * A provider whose every vendor call writes one metrics line (lib/core/log.ts, EMF): its
 * latency, and the numbers by outcome, per provider — the sends by status the alarms and
 * dashboards read, measured where the vendor answers.
 */
function measured(provider: Provider, log: Logger, now: () => number): Provider {
  return {
    name: provider.name,
    maxBatch: provider.maxBatch,
    ...(provider.perNumberParams ? { perNumberParams: true } : {}),
    ...(provider.pullStatuses ? { pullStatuses: provider.pullStatuses.bind(provider) } : {}),
    async send(batch) {
      const started = now();
      const outcomes = await provider.send(batch);
      const counts: Record<string, number> = { VendorLatency: now() - started };
      for (const o of outcomes) {
        const name =
          o.status === "accepted"
            ? "SendsAccepted"
            : o.status === "refused"
              ? "SendsRefused"
              : "SendsUnknown";
        counts[name] = (counts[name] ?? 0) + 1;
      }
      log.metrics({ provider: provider.name }, counts);
      return outcomes;
    },
  };
}

function providersFrom(config: Config, senders: SenderFactory | undefined, log: Logger): Providers {
  const built = senders?.(config) ?? new Map<ProviderName, Provider>();
  const wrapped = new Map([...built].map(([n, p]) => [n, measured(p, log, Date.now)]));
  return { get: (name) => wrapped.get(name), webhooks: webhookParsers };
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
  const log = overrides.log ?? createLogger(config.SMSGATE_LOG_LEVEL);
  return {
    config,
    store:
      overrides.store ??
      createStore({
        db: createDb(client, config.SMSGATE_TABLE),
        recordTtlDays: config.SMSGATE_RECORD_TTL_DAYS,
      }),
    providers: overrides.providers ?? providersFrom(config, overrides.senders, log),
    clock: overrides.clock ?? systemClock,
    log,
  };
}
