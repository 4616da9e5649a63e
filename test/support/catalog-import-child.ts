/**
 * One catalog CSV import in a process of its own, for the bounded-memory test: catalog-import.test.ts spawns it
 * with a capped V8 heap, so an import that held the file (or its rows) in memory would die of it, whatever the
 * test process's own heap and garbage look like. Prints the summary and the process's peak RSS as one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { catalogTestStores } from './catalog';

async function main(): Promise<void> {
  const [catalogId, importId, sourceKey] = process.argv.slice(2) as [string, string, string];
  const stores = catalogTestStores({ STORAGE_LOCAL_DIR: process.env.STORAGE_LOCAL_DIR });
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  try {
    const summary = await stores.activities.importCatalogCsv({ catalogId, importId, sourceKey, workflowId: 'test', runId: randomUUID() });
    // resourceUsage().maxRSS is in KiB.
    process.stdout.write(`${JSON.stringify({ summary, startRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  } finally {
    await stores.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
