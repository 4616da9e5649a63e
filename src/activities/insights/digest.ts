/**
 * The weekly digest (insightsWeeklyDigestWorkflow): one scan of the period's insights (index `created` on
 * MongoDB), folded per user, then one digest document per user and period plus the user's `latest` copy,
 * which GET /v1/users/{id}/digest reads by `_id`. Re-running a period rewrites the same documents.
 */
import { DigestAccumulator } from '../../domain/insights/digest';
import { digestId, type DigestDocument } from '../../domain/insights/store-layout';
import type { AnyBulkWriteOperation, MongoStore } from '../../stores/mongo';
import { beat, digestsOf, insightsOf } from './context';

const WRITE_BATCH = 500;

export function createDigestActivities(mongo: MongoStore, ensureIndexes: () => Promise<void>) {
  return {
    async buildInsightDigests(input: { periodStart: string; periodEnd: string }): Promise<{ users: number; insights: number }> {
      await ensureIndexes();
      const start = new Date(input.periodStart);
      const end = new Date(input.periodEnd);
      const byUser = new Map<string, DigestAccumulator>();
      let insights = 0;
      const cursor = insightsOf(mongo)
        .find({ created_at: { $gte: start, $lt: end } }, { projection: { user_id: 1, title: 1, created_at: 1, tags: 1, keywords: 1, status: 1 } })
        .batchSize(500);
      for await (const doc of cursor) {
        if (doc.status === 'deleting') continue;
        let digest = byUser.get(doc.user_id);
        if (!digest) byUser.set(doc.user_id, (digest = new DigestAccumulator()));
        digest.add({ id: doc._id, title: doc.title, created_at: doc.created_at, tags: doc.tags ?? [], keywords: doc.keywords ?? [] });
        if (++insights % 500 === 0) beat({ insights });
      }

      const generatedAt = new Date();
      let operations: AnyBulkWriteOperation<DigestDocument>[] = [];
      const flush = async () => {
        if (operations.length === 0) return;
        await digestsOf(mongo).bulkWrite(operations, { ordered: false });
        operations = [];
        beat({ insights, writing: true });
      };
      for (const [userId, digest] of [...byUser].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const body = { user_id: userId, period_start: start, period_end: end, generated_at: generatedAt, ...digest.result() };
        for (const id of [digestId(userId, end), digestId(userId, 'latest')]) {
          operations.push({ replaceOne: { filter: { _id: id }, replacement: body, upsert: true } });
        }
        if (operations.length >= WRITE_BATCH) await flush();
      }
      await flush();
      return { users: byUser.size, insights };
    },
  };
}
