import { Context } from '@temporalio/activity';
import type { ProbeInput, ProbeRecord } from '../domain/probe';
import type { PostgresStore } from '../stores/postgres';

export function createProbeActivities(stores: { postgres: PostgresStore }) {
  return {
    /** Idempotent by probe id: a retried attempt returns the row the first attempt wrote. */
    async recordProbe(input: ProbeInput): Promise<ProbeRecord> {
      for (let second = 0; second < input.workSeconds; second++) {
        Context.current().heartbeat(second);
        await Context.current().sleep(1000);
      }
      const { rows } = await stores.postgres.pool().query(
        `INSERT INTO system_probes (probe_id, message, request_id) VALUES ($1, $2, $3)
         ON CONFLICT (probe_id) DO UPDATE SET probe_id = EXCLUDED.probe_id
         RETURNING probe_id, message, request_id, recorded_at`,
        [input.probeId, input.message, input.context.requestId],
      );
      return toRecord(rows[0]);
    },
  };
}

export type ProbeActivities = ReturnType<typeof createProbeActivities>;

export function toRecord(row: { probe_id: string; message: string; request_id: string; recorded_at: Date }): ProbeRecord {
  return {
    probeId: row.probe_id,
    message: row.message,
    requestId: row.request_id,
    recordedAt: row.recorded_at.toISOString(),
  };
}
