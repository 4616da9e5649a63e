/**
 * The SIEM log: each decision line is stored once per (alert, kind) in alert_siem_log and, when stored, printed
 * as one JSON log line (`siem: true`) for the log shipper to forward.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { siemSeverity, type SiemLine } from '../../domain/alerts/siem';

export async function writeSiem(pool: Pool, logger: Pick<Logger, 'info'>, line: SiemLine): Promise<{ written: boolean }> {
  const record = { ...line, category: 'fraud-alert', severity: siemSeverity(line.kind) };
  const { rowCount } = await pool.query(
    'INSERT INTO alert_siem_log (alert_id, kind, line) VALUES ($1, $2, $3) ON CONFLICT (alert_id, kind) DO NOTHING',
    [line.alert_id, line.kind, JSON.stringify(record)],
  );
  if (rowCount === 1) logger.info({ siem: true, ...record }, `siem ${line.kind} ${line.alert_id}`);
  return { written: rowCount === 1 };
}
