/**
 * A Lambda handler built on its first event, once: cold-start import stays small (only the
 * configuration check runs), and every warm invocation reuses what the first one built.
 */
export function lazyHandler<E, R>(
  build: () => Promise<(event: E) => Promise<R>>,
): (event: E) => Promise<R> {
  let built: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    built ??= build().catch((err) => {
      built = undefined; // a failed build is retried by the next event, not cached
      throw err;
    });
    return (await built)(event);
  };
}
