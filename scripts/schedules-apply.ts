/**
 * `npm run schedules:apply [-- --prune]`: creates or updates every schedule in src/workers/schedules (idempotent;
 * run it on every deploy). `--prune` also deletes schedules fluxo created that are no longer defined.
 */
import { loadConfig } from '../src/config';
import { connectTemporal } from '../src/stores/temporal';
import { applySchedules } from '../src/workers/schedules/apply';
import { scheduleDefinitions } from '../src/workers/schedules';

async function main(): Promise<void> {
  const config = loadConfig();
  const prune = process.argv.includes('--prune');
  const temporal = await connectTemporal(config);
  try {
    const results = await applySchedules(temporal.client, scheduleDefinitions, { prune });
    for (const result of results) console.log(`schedules: ${result.outcome.padEnd(9)} ${result.id}`);
    console.log(`schedules: ${results.length} applied in namespace ${config.TEMPORAL_NAMESPACE}`);
  } finally {
    await temporal.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`schedules:apply: ${error.message}\n`);
  process.exit(1);
});
