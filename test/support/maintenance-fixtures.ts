/**
 * Maintenance test data: each test gets its own shatterdome (jaegers, bays, parts depot) under a unique prefix,
 * so tests never share rows, and can snapshot exactly the rows a saga may touch to compare before and after.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { partSkus, type MaintenanceType, type PartSku } from '../../src/domain/maintenance/catalog';
import type { JaegerStatus } from '../../src/domain/maintenance/jaeger';
import type { MaintenanceFaults, MaintenanceSagaInput, MaintenanceSettings } from '../../src/domain/maintenance/saga';

export interface ShatterdomeSpec {
  jaegers?: { status?: JaegerStatus; integrity?: number }[];
  /** Capacity of each bay. */
  bays?: number[];
  parts?: Partial<Record<PartSku, number>>;
}

export interface TestShatterdome {
  shatterdome: string;
  jaegerIds: string[];
  bayIds: string[];
}

let counter = 0;

export async function createShatterdome(pool: Pool, spec: ShatterdomeSpec = {}): Promise<TestShatterdome> {
  const shatterdome = `t${Date.now().toString(36)}${(counter++).toString(36)}${randomUUID().slice(0, 4)}`;
  const jaegers = spec.jaegers ?? [{}];
  const jaegerIds = jaegers.map((_, index) => `${shatterdome}-j${index}`);
  const bayIds = (spec.bays ?? [2]).map((_, index) => `${shatterdome}-bay${index}`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const [index, jaeger] of jaegers.entries()) {
      await client.query(
        'INSERT INTO jaegers (jaeger_id, name, mark, shatterdome, status, integrity) VALUES ($1, $2, 3, $3, $4, $5)',
        [jaegerIds[index], `Test Jaeger ${index}`, shatterdome, jaeger.status ?? 'active', jaeger.integrity ?? 30],
      );
    }
    for (const [index, capacity] of (spec.bays ?? [2]).entries()) {
      await client.query('INSERT INTO maintenance_bays (bay_id, shatterdome, name, capacity) VALUES ($1, $2, $3, $4)', [
        bayIds[index],
        shatterdome,
        `Test bay ${index}`,
        capacity,
      ]);
    }
    for (const sku of partSkus) {
      await client.query('INSERT INTO maintenance_parts (shatterdome, sku, name, quantity) VALUES ($1, $2, $3, $4)', [
        shatterdome,
        sku,
        sku,
        spec.parts?.[sku] ?? 100,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return { shatterdome, jaegerIds, bayIds };
}

/**
 * Every row of the resource tables a saga in this shatterdome can touch: jaegers, bays, parts, allocations and
 * schedule slots. Two snapshots are equal only if the database is exactly as it was.
 */
export async function snapshotResources(pool: Pool, shatterdome: string) {
  const query = async (sql: string) => (await pool.query(sql, [shatterdome])).rows;
  return {
    jaegers: await query('SELECT * FROM jaegers WHERE shatterdome = $1 ORDER BY jaeger_id'),
    bays: await query('SELECT * FROM maintenance_bays WHERE shatterdome = $1 ORDER BY bay_id'),
    parts: await query('SELECT * FROM maintenance_parts WHERE shatterdome = $1 ORDER BY sku'),
    allocations: await query(
      `SELECT a.* FROM maintenance_allocations a JOIN maintenance_requests r USING (maintenance_id)
       JOIN jaegers j ON j.jaeger_id = r.jaeger_id WHERE j.shatterdome = $1 ORDER BY a.maintenance_id, a.resource_kind, a.resource_id`,
    ),
    slots: await query(
      `SELECT s.* FROM maintenance_schedule_slots s JOIN maintenance_bays b USING (bay_id)
       WHERE b.shatterdome = $1 ORDER BY s.maintenance_id`,
    ),
  };
}

export const testSettings = (overrides: Partial<MaintenanceSettings> = {}): MaintenanceSettings => ({
  approvalTimeoutSeconds: 24 * 3600,
  bayRecheckSeconds: 60,
  compensationMaxAttempts: 3,
  ...overrides,
});

export function sagaInput(
  jaegerId: string,
  options: {
    type?: MaintenanceType;
    requestedBy?: string;
    windowStart?: Date;
    windowEnd?: Date;
    settings?: Partial<MaintenanceSettings>;
    faults?: MaintenanceFaults;
  } = {},
): MaintenanceSagaInput {
  const windowStart = options.windowStart ?? new Date();
  return {
    maintenanceId: randomUUID(),
    jaegerId,
    type: options.type ?? 'repair',
    requestedBy: options.requestedBy ?? 'requester',
    windowStart: windowStart.toISOString(),
    windowEnd: (options.windowEnd ?? new Date(windowStart.getTime() + 7 * 86_400_000)).toISOString(),
    context: { requestId: `test-${randomUUID()}`, principal: options.requestedBy ?? 'requester' },
    settings: testSettings(options.settings),
    faults: options.faults,
  };
}
