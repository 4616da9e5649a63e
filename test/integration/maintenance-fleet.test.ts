/** `npm run fixtures:maintenance`'s loader: a realistic starting fleet, inserted once, never overwriting live rows. */
import { loadConfig } from '../../src/config';
import { createPostgresStore } from '../../src/stores/postgres';
import { fleetBays, fleetJaegers, loadMaintenanceFleet } from '../../scripts/fixtures/maintenance-fleet';

const postgres = createPostgresStore(loadConfig());
afterAll(() => postgres.close());

test('loads the fleet once; a second load keeps what changed since', async () => {
  const pool = postgres.pool();
  const ids = fleetJaegers.map(([id]) => id);
  // Another run of this test against the same database may have loaded it already.
  await pool.query('DELETE FROM maintenance_parts WHERE shatterdome = ANY($1)', [[...new Set(fleetJaegers.map((jaeger) => jaeger[3]))]]);
  await pool.query('DELETE FROM maintenance_bays WHERE bay_id = ANY($1)', [fleetBays.map(([bayId]) => bayId)]);
  await pool.query('DELETE FROM jaegers WHERE jaeger_id = ANY($1)', [ids]);

  const first = await loadMaintenanceFleet(pool);
  expect(first).toEqual({ jaegers: fleetJaegers.length, bays: fleetBays.length, parts: 25 });
  const { rows } = await pool.query('SELECT status, count(*)::int AS n FROM jaegers WHERE jaeger_id = ANY($1) GROUP BY status ORDER BY status', [ids]);
  expect(rows).toEqual([
    { status: 'active', n: 15 },
    { status: 'deployed', n: 3 },
    { status: 'maintenance', n: 1 },
    { status: 'retired', n: 3 },
  ]);

  await pool.query(`UPDATE jaegers SET integrity = 100 WHERE jaeger_id = 'gipsy-danger'`);
  expect(await loadMaintenanceFleet(pool)).toEqual({ jaegers: 0, bays: 0, parts: 0 });
  const { rows: gipsy } = await pool.query(`SELECT integrity FROM jaegers WHERE jaeger_id = 'gipsy-danger'`);
  expect(gipsy).toEqual([{ integrity: 100 }]);
});
