/**
 * What every store client module in src/stores/ gives the rest of fluxo: a lazily created client, a
 * health check for `/ready`, and a close for graceful shutdown.
 */
export interface StoreHealth {
  /** Short store name shown by `/ready`, e.g. `postgres`, `kafka`. */
  name: string;
  /** Resolves when the store answers; rejects with an Error whose message says why not. Bounded by a timeout. */
  check(): Promise<void>;
  /** Releases connections; safe to call twice, and when the client was never created. */
  close(): Promise<void>;
}

/** Rejects with `<what> timed out after <ms> ms` when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
