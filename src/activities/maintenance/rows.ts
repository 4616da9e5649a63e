/** PostgreSQL rows of the maintenance tables → domain objects (shared by the activities and the API's reads). */
import type { Jaeger, JaegerStatus } from '../../domain/maintenance/jaeger';

export interface JaegerRow {
  jaeger_id: string;
  name: string;
  mark: number;
  shatterdome: string;
  status: string;
  integrity: number;
  last_maintained_at: Date | null;
}

export const JAEGER_COLUMNS = 'jaeger_id, name, mark, shatterdome, status, integrity, last_maintained_at';

export function toJaeger(row: JaegerRow): Jaeger {
  return {
    jaegerId: row.jaeger_id,
    name: row.name,
    mark: row.mark,
    shatterdome: row.shatterdome,
    status: row.status as JaegerStatus,
    integrity: row.integrity,
    lastMaintainedAt: row.last_maintained_at ? row.last_maintained_at.toISOString() : null,
  };
}
