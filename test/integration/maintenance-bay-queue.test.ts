/**
 * The bay queue's claim against the real PostgreSQL: a freed cradle wakes the oldest waiter not yet woken, so
 * cradles freed at the same time wake different sagas, and a woken saga that found every bay full again is
 * wakeable again without losing its place.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createPostgresStore } from '../../src/stores/postgres';
import { claimOldestWaiter, joinBayQueue, leaveBayQueue } from '../../src/activities/maintenance/bay-queue';

const postgres = createPostgresStore(loadConfig());
const shatterdome = `bay-queue-${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  await postgres.pool().query('DELETE FROM maintenance_bay_waiters WHERE shatterdome = $1', [shatterdome]);
  await postgres.close();
});

/** Three sagas queue one after the other (distinct queued_at, so the order is theirs). */
async function queueThree(): Promise<string[]> {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const [index, id] of ids.entries()) {
    await joinBayQueue(postgres.pool(), id, shatterdome, `saga-${index}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return ids;
}

test('cradles freed at the same time wake different waiters, oldest first; a re-joining waiter keeps its place', async () => {
  const ids = await queueThree();
  const pool = postgres.pool();

  // Two cradles freed at once: two different sagas, the two oldest.
  const claimed = await Promise.all([claimOldestWaiter(pool, shatterdome), claimOldestWaiter(pool, shatterdome)]);
  expect(claimed.map((waiter) => waiter?.workflow_id).sort()).toEqual(['saga-0', 'saga-1']);

  // saga-0 lost the race for the cradle and re-joins: it is wakeable again, ahead of saga-2.
  await joinBayQueue(pool, ids[0]!, shatterdome, 'saga-0');
  expect((await claimOldestWaiter(pool, shatterdome))?.workflow_id).toBe('saga-0');
  expect((await claimOldestWaiter(pool, shatterdome))?.workflow_id).toBe('saga-2');
  // Everyone is woken: nothing left to wake.
  expect(await claimOldestWaiter(pool, shatterdome)).toBeUndefined();

  for (const id of ids) await leaveBayQueue(pool, id);
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM maintenance_bay_waiters WHERE shatterdome = $1', [shatterdome]);
  expect(rows).toEqual([{ n: 0 }]);
});
