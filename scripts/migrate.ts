/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import { loadConfig } from '../src/config';
import { migrate } from '../src/stores/migrate';
import { createPostgresStore } from '../src/stores/postgres';

async function main() {
  const store = createPostgresStore(loadConfig());
  try {
    const { applied, skipped } = await migrate(store.pool());
    console.log(`migrate: applied ${applied.length} (${applied.join(', ') || 'none'}), ${skipped} already applied`);
  } finally {
    await store.close();
  }
}

main().catch((error: Error) => {
  console.error(`migrate: ${error.message}`);
  process.exit(1);
});
