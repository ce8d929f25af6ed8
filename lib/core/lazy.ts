/**
 * How every function's handler is made. Its modules are imported statically, so they load in
 * INIT, not on the first event (docs/performance.md, levers). With no secrets to fetch (the
 * local stack, tests, the bench) the handler is built in INIT too. Deployed, the one Secrets
 * Manager call starts in INIT and the first event awaits it, then builds the handler (clients
 * and route tables: a few milliseconds once the modules are loaded).
 */
import { type Config, loadConfig } from "../config";
import { secretsAtColdStart } from "../config/secrets";

type Handler<E, R> = (event: E) => Promise<R>;

export function handlerAtInit<E, R>(build: (config: Config) => Handler<E, R>): Handler<E, R> {
  // The environment is checked now: a bad variable fails the start, by name.
  const config = loadConfig();
  if (!config.SMSGATE_SECRETS_PREFIX) return build(config);
  const secrets = secretsAtColdStart(config);
  let built: Promise<Handler<E, R>> | undefined;
  return async (event) => {
    built ??= secrets()
      .then(build)
      .catch((err) => {
        built = undefined; // a failed fetch or build is retried by the next event, not cached
        throw err;
      });
    return (await built)(event);
  };
}
