/**
 * Runs once per `npm test`: brings up the real servers (all of them, or FLUXO_TEST_SERVICES=a,b), recreates
 * the test database and migrates it, and bundles the workflow code once for every test file.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../src/stores/migrate';
import { createPostgresStore } from '../../src/stores/postgres';
import { loadConfig } from '../../src/config';
import { buildWorkflowBundle } from './workflow-bundle';

const ROOT = join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  require('./env');
  const named = (process.env.FLUXO_TEST_SERVICES ?? '').split(',').filter(Boolean);
  // PostgreSQL and Temporal underlie every test (migrations, bundle, workers); the rest on demand.
  const services = named.length > 0 ? [...new Set(['postgres', 'temporal', ...named])] : [];
  const up = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/stack/cli.ts', 'up', ...services], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (up.status !== 0) throw new Error('the native stack did not come up (see the stack: line above)');

  await recreateTestDatabase();
  const store = createPostgresStore(loadConfig());
  try {
    await migrate(store.pool());
  } finally {
    await store.close();
  }
  await buildWorkflowBundle();
}

async function recreateTestDatabase(): Promise<void> {
  const url = new URL(process.env.DATABASE_URL!);
  const database = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
}
