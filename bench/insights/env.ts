/**
 * The benchmark's environment, set before anything reads it (imported first by run.ts: ES imports are
 * evaluated before the importing module's own statements). Everything the benchmark writes goes to MongoDB
 * database INSIGHTS_BENCH_DATABASE (default `fluxo_bench_insights`) and the Neo4j graph scope of the same
 * name, never to the tests' or development's.
 */
export const BENCH_DATABASE = process.env.INSIGHTS_BENCH_DATABASE ?? 'fluxo_bench_insights';

process.env.MONGODB_DATABASE = BENCH_DATABASE;
process.env.INSIGHTS_GRAPH_SCOPE = BENCH_DATABASE;
process.env.TEMPORAL_NAMESPACE ??= 'fluxo-test';
process.env.NODE_ENV = 'test';
process.env.AUTH_MODE = 'none';
process.env.QUOTA_REQUESTS = '0';
process.env.LOG_LEVEL ??= 'silent';
// The worker must not compete for the worker-metrics port with a running `npm run dev`.
process.env.WORKER_METRICS_BIND_ADDRESS = '';
