// Every test process talks to the test namespace and database, never the ones `npm run dev` uses.
process.env.NODE_ENV ??= 'test';
process.env.TEMPORAL_NAMESPACE ??= 'fluxo-test';
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:55432/fluxo_test';
process.env.LOG_LEVEL ??= 'silent';
