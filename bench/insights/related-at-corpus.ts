/**
 * `tsx bench/insights/related-at-corpus.ts [corpus size]`: `GET /v1/insights/{id}/related?limit=10` latency
 * over HTTP (an in-process API, 500 sequential samples) against the corpus `tsx bench/insights/profile.ts
 * --insights N --keep` left in `<bench database>_profile` (the same activities and graph as the workflow path,
 * written without Temporal, so a large corpus builds in minutes), beside the document GET and the related
 * Cypher query alone. What `bench:insights` measures after its end-to-end phase, when that phase cannot be run
 * to the end.
 */
import { BENCH_DATABASE } from './env';
import { loadavg } from 'node:os';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { createInsightReadModel } from '../../src/api/insights/read-model';
import { loadConfig } from '../../src/config';
import { createStores } from '../../src/stores';
import { connectTemporal } from '../../src/stores/temporal';
import { benchInsightId } from './corpus';

const DATABASE = `${BENCH_DATABASE}_profile`;
const TOTAL = Number(process.argv[2] ?? 10000);
const SAMPLES = 500;
async function main() {
  const config = loadConfig({ ...process.env, MONGODB_DATABASE: DATABASE, INSIGHTS_GRAPH_SCOPE: DATABASE });
  const stores = createStores(config);
  const temporal = await connectTemporal(config);
  const app = await buildApp({ config, temporal: temporal.client, temporalHealth: temporal, stores, logger: pino({ level: 'silent' }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const readModel = createInsightReadModel(stores, config);
  let state = 12345;
  const ids = Array.from({ length: SAMPLES }, () => benchInsightId(10, (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % TOTAL));
  const timed = async (f: () => Promise<unknown>) => { const t0 = performance.now(); await f(); return performance.now() - t0; };
  const get = async (path: string) => { const r = await fetch(`${url}${path}`); if (r.status !== 200) throw new Error(`${path}: ${r.status}`); return r.json() as Promise<{ related?: unknown[] }>; };
  for (const id of ids.slice(0, 50)) await get(`/v1/insights/${id}/related?limit=10`);
  const rel: number[] = [], doc: number[] = [], graph: number[] = [];
  let n = 0;
  for (const id of ids) {
    rel.push(await timed(async () => (n += (await get(`/v1/insights/${id}/related?limit=10`)).related!.length)));
    doc.push(await timed(() => get(`/v1/insights/${id}`)));
    graph.push(await timed(() => readModel.related(id, 10)));
  }
  const p = (l: number[], q: number) => { const s = [...l].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!.toFixed(1); };
  console.log(`corpus ${TOTAL}, ${SAMPLES} sequential samples, load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`related over HTTP p50 ${p(rel, 0.5)} ms p95 ${p(rel, 0.95)} ms p99 ${p(rel, 0.99)} ms (mean ${(n / SAMPLES).toFixed(1)} results); document GET p50 ${p(doc, 0.5)} p95 ${p(doc, 0.95)}; graph query alone p50 ${p(graph, 0.5)} p95 ${p(graph, 0.95)}`);
  await app.close(); await stores.close(); await temporal.close();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
