/**
 * `tsx bench/insights/profile.ts [--insights 1000 --concurrency 32 --keep]`
 *
 * Where an insight's processing time goes, without Temporal: the workflow's steps called directly (like the
 * benchmark's baseline) with every store call timed, reported per step and per slice of the corpus (the
 * graph's scoring cost grows with the corpus). Writes to `<bench database>_profile` only.
 */
import { BENCH_DATABASE } from './env';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createInsightActivities } from '../../src/activities/insights';
import { loadConfig } from '../../src/config';
import { normalizeTags } from '../../src/domain/insights/insight';
import { insightCollections } from '../../src/domain/insights/store-layout';
import type { InsightChange } from '../../src/domain/insights/workflow';
import { createStores, type Stores } from '../../src/stores';
import type { Neo4jStore } from '../../src/stores/neo4j';
import { benchInsightId, generateCorpus } from './corpus';

const { values } = parseArgs({
  options: {
    insights: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    slices: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
    /** Continue a kept corpus: start at this index (the first ones are already in). */
    from: { type: 'string', default: '0' },
  },
});
const TOTAL = Number(values.insights);
const CONCURRENCY = Number(values.concurrency);
const FROM = Number(values.from);
const DATABASE = `${BENCH_DATABASE}_profile`;

type Timings = Map<string, number[]>;
let current: Timings = new Map();
const record = (label: string, value: number) => {
  let list = current.get(label);
  if (!list) current.set(label, (list = []));
  list.push(value);
};
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    record(label, performance.now() - t0);
  }
}

/** A step retried like an activity would be; each failed attempt is recorded (`retry <label>`: its duration). */
async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    try {
      const result = await work();
      record(label, performance.now() - t0);
      return result;
    } catch (error) {
      record(`retry ${label}: ${String((error as Error).message).slice(-40)}`, performance.now() - t0);
      if (attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** The Neo4j store with each call timed, labelled by its first Cypher keyword line. */
function timedNeo4j(store: Neo4jStore): Neo4jStore {
  const label = (cypher: string) => `neo4j ${cypher.trim().split('\n')[0]!.slice(0, 40)}`;
  let writeTx = 0;
  return {
    ...store,
    read: (cypher, params) => timed(label(cypher), () => store.read(cypher, params)),
    write: (cypher, params) => timed(label(cypher), () => store.write(cypher, params)),
    readTransaction: (work) => timed('neo4j readTransaction', () => store.readTransaction(work)),
    writeTransaction: (work) => timed(`neo4j writeTransaction #${(writeTx++ % 2) + 1}`, () => store.writeTransaction(work)),
  };
}

async function wipe(stores: Pick<Stores, 'mongo' | 'neo4j'>): Promise<void> {
  for (const name of Object.values(insightCollections)) await stores.mongo.collection(name).deleteMany({});
  for (const label of ['Insight', 'Keyword', 'Tag', 'User']) {
    for (;;) {
      const rows = await stores.neo4j.write<{ deleted: number }>(
        `MATCH (n:${label}) WHERE n.scope = $scope WITH n LIMIT 250 DETACH DELETE n RETURN count(*) AS deleted`,
        { scope: DATABASE },
      );
      if ((rows[0]?.deleted ?? 0) < 250) break;
    }
  }
}

const fmt = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  return `n ${String(list.length).padStart(5)}  mean ${mean.toFixed(1).padStart(7)}  p50 ${at(0.5).toFixed(1).padStart(7)}  p95 ${at(0.95).toFixed(1).padStart(7)} ms`;
};

async function main() {
  const config = loadConfig({ ...process.env, MONGODB_DATABASE: DATABASE, INSIGHTS_GRAPH_SCOPE: DATABASE });
  const stores = createStores(config);
  const neo4j = timedNeo4j(stores.neo4j);
  const activities = createInsightActivities({ ...stores, neo4j }, config);
  if (FROM === 0) await wipe(stores);
  const corpus = generateCorpus(TOTAL, 9);
  const slices = Number(values.slices);
  const sliceSize = Math.ceil((TOTAL - FROM) / slices);
  console.log(`profile: ${TOTAL - FROM} insights from ${FROM}, concurrency ${CONCURRENCY}, load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  for (let s = 0; s < slices; s++) {
    current = new Map();
    const start = FROM + s * sliceSize;
    const items = corpus.slice(start, Math.min(TOTAL, start + sliceSize)).map((item, i) => ({ item, index: start + i }));
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) {
          const { item, index } = items[next++]!;
          const insightId = benchInsightId(10, index);
          const tags = normalizeTags(item.tags);
          const change: InsightChange = {
            changeId: `create:${insightId}`,
            kind: 'create',
            content: { title: item.title, content: item.content, tags, source: 'bench' },
            receivedAt: new Date().toISOString(),
            context: { requestId: 'bench', principal: 'bench' },
          };
          await timed('insight total', async () => {
            const saved = await step('step save', () => activities.saveInsightDocument({ insightId, userId: item.user_id, change }));
            if (saved.outcome !== 'ready') throw new Error(saved.outcome);
            const extracted = await step('step extract', () => activities.extractInsightKeywords({ title: item.title, content: item.content, tags }));
            const written = await step('step graph', () =>
              activities.writeInsightGraph({
                insightId,
                revision: saved.revision,
                userId: saved.userId,
                title: item.title,
                tags,
                keywords: extracted.keywords,
                createdAt: saved.createdAt,
                updatedAt: saved.updatedAt,
              }),
            );
            await step('step processed', () =>
              activities.markInsightProcessed({
                insightId,
                revision: saved.revision,
                keywords: extracted.keywords,
                entities: extracted.entities,
                terms: extracted.terms,
                related: written.related.map(({ id, score }) => ({ id, score })),
              }),
            );
          });
        }
      }),
    );
    const wall = (Date.now() - t0) / 1000;
    console.log(`\ninsights ${start}..${start + items.length}: ${(items.length / wall).toFixed(1)}/s (${wall.toFixed(1)} s), load ${loadavg()[0]!.toFixed(1)}`);
    for (const [label, list] of [...current].sort(([a], [b]) => (a < b ? -1 : 1))) console.log(`  ${label.padEnd(52)} ${fmt(list)}`);
  }
  if (!values.keep) await wipe(stores);
  await stores.close();
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
