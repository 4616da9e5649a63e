/**
 * The insight document's lifecycle in MongoDB. Every call addresses one document by `_id` (the only filter
 * FerretDB's SQLite backend hands to SQLite; see docs/insights.md, "FerretDB and `_id` lookups"). Writes of one insight are serialized by its workflow
 * (`insight-<id>`), so read-then-write is safe here without transactions; each step is idempotent: a retried
 * attempt finds its own change recorded in `applied_changes` and does not apply it twice.
 */
import type { Entity } from '../../domain/insights/entities';
import type { Keyword, TermCount } from '../../domain/insights/keywords';
import type { RelatedRef } from '../../domain/insights/related-score';
import type { InsightDocument, InsightFailure } from '../../domain/insights/store-layout';
import { insightWorkflowId, type InsightChange, type InsightContent } from '../../domain/insights/workflow';
import { isDuplicateKeyError, type MongoStore } from '../../stores/mongo';
import { insightsOf } from './context';
import { insightsProcessedTotal } from './metrics';

/** Change ids remembered per document: enough to recognise a redelivered request, small enough to ignore. */
const APPLIED_CHANGES_KEPT = 20;

export type SaveResult =
  | { outcome: 'ready'; revision: number; userId: string; createdAt: string; updatedAt: string; tags: string[]; content?: InsightContent }
  | { outcome: 'already-applied'; revision: number }
  | { outcome: 'duplicate-create' }
  | { outcome: 'missing' };

export interface SaveInput {
  insightId: string;
  userId: string;
  change: InsightChange;
}

const remember = (applied: string[], changeId: string) => [...applied.filter((id) => id !== changeId), changeId].slice(-APPLIED_CHANGES_KEPT);

function ready(doc: InsightDocument, withContent: boolean): SaveResult {
  return {
    outcome: 'ready',
    revision: doc.revision,
    userId: doc.user_id,
    createdAt: doc.created_at.toISOString(),
    updatedAt: doc.updated_at.toISOString(),
    tags: doc.tags,
    ...(withContent ? { content: { title: doc.title, content: doc.content, tags: doc.tags, source: doc.source } } : {}),
  };
}

export function createDocumentActivities(mongo: MongoStore, ensureIndexes: () => Promise<void>) {
  const insights = () => insightsOf(mongo);

  /** create/update/reprocess: the document in status `processing` at its new (or current) revision. */
  async function saveInsightDocument(input: SaveInput): Promise<SaveResult> {
    await ensureIndexes();
    const { change, insightId } = input;
    const now = new Date();
    const receivedAt = new Date(change.receivedAt);

    if (change.kind === 'create') {
      const content = change.content!;
      const document: InsightDocument = {
        _id: insightId,
        user_id: input.userId,
        title: content.title,
        content: content.content,
        tags: content.tags,
        source: content.source,
        created_at: receivedAt,
        updated_at: receivedAt,
        status: 'processing',
        status_at: now,
        revision: 1,
        applied_changes: [change.changeId],
        keywords: [],
        entities: [],
        terms: [],
        related: [],
        derived_revision: 0,
        processed_at: null,
        failure: null,
        workflow_id: insightWorkflowId(insightId),
      };
      // One write on the common path. insertOne, not an upsert with $setOnInsert: FerretDB 1.24 leaves empty
      // arrays and nulls out of a $setOnInsert (checked), and every field must be there.
      try {
        await insights().insertOne(document);
        return ready(document, false);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }

    const doc = await insights().findOne({ _id: insightId });
    if (!doc || doc.status === 'deleting') return { outcome: 'missing' };
    if (doc.applied_changes.includes(change.changeId)) {
      // A retry of this very change: resume it unless it already finished.
      return doc.status === 'processed' ? { outcome: 'already-applied', revision: doc.revision } : ready(doc, change.kind === 'reprocess');
    }
    if (change.kind === 'create') return { outcome: 'duplicate-create' };

    if (change.kind === 'update') {
      const content = change.content!;
      const updated: Partial<InsightDocument> = {
        title: content.title,
        content: content.content,
        tags: content.tags,
        source: content.source,
        updated_at: receivedAt,
        status: 'processing',
        status_at: now,
        revision: doc.revision + 1,
        applied_changes: remember(doc.applied_changes, change.changeId),
        failure: null,
        workflow_id: insightWorkflowId(insightId),
      };
      await insights().updateOne({ _id: insightId }, { $set: updated });
      return ready({ ...doc, ...updated } as InsightDocument, false);
    }

    // reprocess: same revision, extraction and graph again from the stored content.
    const updated: Partial<InsightDocument> = {
      status: 'processing',
      status_at: now,
      applied_changes: remember(doc.applied_changes, change.changeId),
      failure: null,
    };
    await insights().updateOne({ _id: insightId }, { $set: updated });
    return ready({ ...doc, ...updated } as InsightDocument, true);
  }

  async function markInsightProcessed(input: {
    insightId: string;
    revision: number;
    keywords: Keyword[];
    entities: Entity[];
    terms: TermCount[];
    related: RelatedRef[];
  }): Promise<void> {
    const now = new Date();
    await insights().updateOne(
      { _id: input.insightId },
      {
        $set: {
          status: 'processed',
          status_at: now,
          keywords: input.keywords,
          entities: input.entities,
          terms: input.terms,
          related: input.related,
          derived_revision: input.revision,
          processed_at: now,
          failure: null,
        },
      },
    );
    insightsProcessedTotal.inc({ outcome: 'processed' });
  }

  async function markInsightFailed(input: { insightId: string; step: string; reason: string; intent: InsightFailure['intent'] }): Promise<void> {
    const failure: InsightFailure = { step: input.step, reason: input.reason.slice(0, 2000), at: new Date(), intent: input.intent };
    await insights().updateOne({ _id: input.insightId }, { $set: { status: 'failed', status_at: failure.at, failure } });
    insightsProcessedTotal.inc({ outcome: 'failed' });
  }

  /** First step of a delete; `found: false` when there is no document (the graph is cleaned anyway). */
  async function markInsightDeleting(input: { insightId: string }): Promise<{ found: boolean }> {
    await ensureIndexes();
    const result = await insights().updateOne({ _id: input.insightId }, { $set: { status: 'deleting', status_at: new Date() } });
    return { found: result.matchedCount > 0 };
  }

  async function deleteInsightDocument(input: { insightId: string }): Promise<{ deleted: boolean }> {
    const result = await insights().deleteOne({ _id: input.insightId });
    insightsProcessedTotal.inc({ outcome: 'deleted' });
    return { deleted: result.deletedCount > 0 };
  }

  return { saveInsightDocument, markInsightProcessed, markInsightFailed, markInsightDeleting, deleteInsightDocument };
}
