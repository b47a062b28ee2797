/**
 * For the kit's own unit tests: resolves once `predicate` holds, looking after each turn of the
 * event loop. setImmediate is left real when a test fakes the clock, so this works under fake
 * timers too (there Jest's own test timeout is what ends a wait that never comes true).
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}
