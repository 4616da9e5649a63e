/**
 * `npm run bench:auth`: latency the security layer adds per request. The same cheap authenticated route
 * (GET /v1/auth/me) is called over keep-alive HTTP on one API per mode; `AUTH_MODE=none` is the baseline
 * (no credential check, same hooks otherwise). Modes: apikey (verified key remembered 10 s, the default),
 * apikey with no cache (one PostgreSQL lookup per request), oidc (RS256 JWT against a loopback JWKS) and
 * gateway (trusted-proxy headers). Quota stays on (with a limit no run reaches), as in production.
 * Rounds interleave the modes so machine noise hits them alike. Appends its section to docs/BENCHMARKS.md.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../../src/api/app';
import { createApiKey, revokeApiKey } from '../../src/api/auth/api-key-store';
import { loadConfig } from '../../src/config';
import { createStores } from '../../src/stores';
import { migrate } from '../../src/stores/migrate';
import { connectTemporal } from '../../src/stores/temporal';
import { AUDIENCE, signingKey, startIdentityProvider, token } from '../../test/support/auth-fixtures';
import { appendBenchmarkSection } from '../support/benchmarks-file';

const ROUNDS = Number(process.env.BENCH_AUTH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.BENCH_AUTH_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_AUTH_CONCURRENCY ?? 16);
const BATCH = 50;

interface Mode {
  name: string;
  overrides: Record<string, string>;
  headers: Record<string, string>;
}

interface Sample {
  latenciesMs: number[];
  /** Process CPU (API and client, same process) spent on the sequential requests. */
  cpuMs: number;
  concurrentSeconds: number;
  concurrentRequests: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const us = (ms: number) => `${Math.round(ms * 1000)} µs`;

async function call(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

async function main(): Promise<void> {
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent', QUOTA_REQUESTS: '1000000000' });
  const temporal = await connectTemporal(base);
  const stores = createStores(base);
  await migrate(stores.postgres.pool());
  const key = await signingKey('RS256', 'bench');
  const idp = await startIdentityProvider([key]);
  const apiKey = await createApiKey(stores.postgres.pool(), { name: `bench-auth-${Date.now()}`, roles: ['viewer'], createdBy: 'bench:auth' });
  const jwt = await token(key, idp.issuer, { roles: ['viewer'], expiresIn: 3600 });

  const modes: Mode[] = [
    { name: 'none (baseline)', overrides: { AUTH_MODE: 'none' }, headers: { 'x-user-id': 'bench', 'x-roles': 'viewer' } },
    { name: 'apikey (cached 10 s, default)', overrides: { AUTH_MODE: 'apikey' }, headers: { authorization: `Bearer ${apiKey.key}` } },
    { name: 'apikey (no cache: PostgreSQL per request)', overrides: { AUTH_MODE: 'apikey', AUTH_APIKEY_CACHE_SECONDS: '0' }, headers: { authorization: `Bearer ${apiKey.key}` } },
    {
      name: 'oidc (RS256 JWT, JWKS cached)',
      overrides: { AUTH_MODE: 'oidc', AUTH_OIDC_JWKS_URL: idp.jwksUrl, AUTH_OIDC_ISSUER: idp.issuer, AUTH_OIDC_AUDIENCE: AUDIENCE },
      headers: { authorization: `Bearer ${jwt}` },
    },
    { name: 'gateway (trusted headers)', overrides: { AUTH_MODE: 'gateway', AUTH_TRUSTED_PROXIES: '127.0.0.1' }, headers: { 'x-user-id': 'bench', 'x-roles': 'viewer' } },
  ];

  const servers = [];
  for (const mode of modes) {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', QUOTA_REQUESTS: '1000000000', ...mode.overrides });
    const app = await buildApp({ config, temporal: temporal.client, temporalHealth: temporal, stores, logger: pino({ level: 'silent' }) });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    servers.push({ mode, app, url: `${address}/v1/auth/me` });
  }

  const samples = new Map<string, Sample>(modes.map((mode) => [mode.name, { latenciesMs: [], cpuMs: 0, concurrentSeconds: 0, concurrentRequests: 0 }]));
  try {
    for (const server of servers) for (let i = 0; i < 300; i++) await call(server.url, server.mode.headers); // warm-up (JIT, pools, JWKS)
    for (let round = 0; round < ROUNDS; round++) {
      // Sequential latency in small batches that rotate through the modes, so load spikes on this shared
      // machine hit every mode alike; CPU time per batch is the steadier figure under contention.
      for (let done = 0; done < PER_ROUND; done += BATCH) {
        for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
          const sample = samples.get(server.mode.name)!;
          const cpu = process.cpuUsage();
          for (let i = 0; i < BATCH; i++) {
            const started = performance.now();
            await call(server.url, server.mode.headers);
            sample.latenciesMs.push(performance.now() - started);
          }
          const used = process.cpuUsage(cpu);
          sample.cpuMs += (used.user + used.system) / 1000;
        }
      }
      // Concurrent: what the layer costs in throughput.
      for (const server of servers) {
        const sample = samples.get(server.mode.name)!;
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next++ < PER_ROUND) await call(server.url, server.mode.headers);
          }),
        );
        sample.concurrentSeconds += (performance.now() - started) / 1000;
        sample.concurrentRequests += PER_ROUND;
      }
      process.stdout.write(`bench:auth: round ${round + 1}/${ROUNDS} done\n`);
    }
  } finally {
    for (const server of servers) await server.app.close();
    await revokeApiKey(stores.postgres.pool(), apiKey.record.keyId, 'bench:auth');
    await idp.close();
    await stores.close();
    await temporal.close();
  }

  const baseline = samples.get(modes[0]!.name)!;
  const baseP50 = percentile(baseline.latenciesMs, 50);
  const cpuPerRequest = (sample: Sample) => sample.cpuMs / sample.latenciesMs.length;
  const baseCpu = cpuPerRequest(baseline);
  const baseRate = baseline.concurrentRequests / baseline.concurrentSeconds;
  const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${us(ms)}`;
  const rows = modes.map((mode) => {
    const sample = samples.get(mode.name)!;
    const p50 = percentile(sample.latenciesMs, 50);
    const p95 = percentile(sample.latenciesMs, 95);
    const cpu = cpuPerRequest(sample);
    const rate = sample.concurrentRequests / sample.concurrentSeconds;
    const first = mode === modes[0];
    return `| ${mode.name} | ${us(p50)} | ${us(p95)} | ${first ? '—' : signed(p50 - baseP50)} | ${(p50 / baseP50).toFixed(2)}× | ${us(cpu)} | ${first ? '—' : signed(cpu - baseCpu)} | ${Math.round(rate)} req/s | ${(rate / baseRate).toFixed(2)}× |`;
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const section = [
    '',
    `## Auth overhead (\`npm run bench:auth\`) — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${load} (shared machine).`,
    `GET /v1/auth/me over keep-alive HTTP on loopback, one in-process API per mode; ${ROUNDS} rounds of ${PER_ROUND} sequential requests per mode`,
    `in batches of ${BATCH} rotating through the modes (latency, and process CPU per request: API and client share the process, so differences are`,
    `the security layer's), then ${PER_ROUND} requests at concurrency ${CONCURRENCY} per mode (throughput). Baseline: AUTH_MODE=none (same hooks, no credential check).`,
    '',
    `| mode | p50 | p95 | added p50 | p50 ratio | CPU/request | added CPU | throughput (c=${CONCURRENCY}) | throughput ratio |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  appendBenchmarkSection(section);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench:auth: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
