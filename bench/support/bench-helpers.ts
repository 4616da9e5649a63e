/** Small pieces every benchmark script needs: timing, figures, and a database recreated for its run. */
import { Client as PgClient } from 'pg';

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
export const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inPool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

/** The URL of database `name` on the server of `baseUrl`. */
export const databaseUrlOn = (baseUrl: string | URL, name: string) =>
  Object.assign(new URL(baseUrl.toString()), { pathname: `/${name}` }).toString();

/** Drops (forcing out its clients) and creates `name` on the server of `baseUrl`. */
export async function recreateDatabase(baseUrl: string | URL, name: string): Promise<void> {
  const admin = new PgClient({ connectionString: databaseUrlOn(baseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}
