/**
 * A closed-loop HTTP load generator: `connections` keep-alive sockets, each sending its next request as
 * soon as the previous answer arrived, for `seconds`. Latency is per request (send → full body).
 */
import http from 'node:http';

export interface LoadReport {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;

export async function runLoad(options: {
  url: string;
  path: string;
  connections: number;
  seconds: number;
  /** Body of the next request; `onAnswer` hears its status (to track accepted ids). */
  body: () => { text: string; onAnswer?: (status: number) => void };
}): Promise<LoadReport> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = Date.now();
  const deadline = started + options.seconds * 1000;

  const once = (text: string) =>
    new Promise<number>((resolve) => {
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: options.path,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve(0));
      request.end(text);
    });

  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (Date.now() < deadline) {
        const { text, onAnswer } = options.body();
        const sent = process.hrtime.bigint();
        const status = await once(text);
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        statuses[status] = (statuses[status] ?? 0) + 1;
        onAnswer?.(status);
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    statuses,
  };
}
