// Every test process talks to the test namespace and database, never the ones `npm run dev` uses.
process.env.NODE_ENV ??= 'test';
process.env.TEMPORAL_NAMESPACE ??= 'fluxo-test';
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:55432/fluxo_test';
process.env.LOG_LEVEL ??= 'silent';
// Domain tests call the API without credentials; the auth tests start APIs with other modes explicitly.
process.env.AUTH_MODE ??= 'none';
// Everyone is `anonymous` then, sharing one quota bucket: the quota tests turn it on explicitly.
process.env.QUOTA_REQUESTS ??= '0';
// The insights domain's MongoDB database in tests (never the dev database `fluxo`).
process.env.MONGODB_DATABASE ??= 'fluxo_test';
// Worker processes spawned by tests must not compete for the worker-metrics port.
process.env.WORKER_METRICS_BIND_ADDRESS ??= '';
