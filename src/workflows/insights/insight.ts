/**
 * `insight-<id>`: the one writer of an insight. Every create, update, delete (API) and re-drive
 * (reconciliation) arrives as a change signal through signal-with-start; the workflow handles them one at
 * a time, in arrival order, and ends when none is left (the next change starts a new run).
 *
 * create/update/reprocess: document saved in MongoDB (status processing) → keywords and entities extracted
 * → graph written in Neo4j (retried while Neo4j is unavailable) → document set processed with its keywords and
 * related ids. Every one of these steps is a local activity (see ./activities.ts; runs older than the patch
 * `insights-graph-local` write the graph with a regular activity). If extraction or the graph step gives up,
 * the document is set failed with the reason instead: each change ends with both stores written or with the
 * document saying why not.
 * delete: document set deleting → node and its edges deleted (a regular activity) → document deleted.
 *
 * Consecutive updates are collapsed into the last one (each replaces the whole content); a change id seen
 * before (a repeated request) is ignored.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  insightChangeSignal,
  insightStateQuery,
  type InsightChange,
  type InsightOutcome,
  type InsightWorkflowInput,
  type InsightWorkflowResult,
  type InsightWorkflowState,
} from '../../domain/insights/workflow';
import { documents, extraction, graphLocalStep, graphStep } from './activities';
import { failureReason } from './failure';
import { takeNext } from '../../domain/insights/changes';

/** Changes handled before continuing as new (a busy insight's history stays small). */
const MAX_CHANGES_PER_RUN = 100;
/** Change ids remembered across continue-as-new, to recognise late repeats. */
const SEEN_KEPT = 200;
/**
 * Runs started before this patch wrote the graph with a regular activity; newer ones use a local activity
 * (one Temporal task per insight instead of three: see ./activities.ts). Deprecate once no older run is open.
 */
const GRAPH_LOCAL_PATCH = 'insights-graph-local';

type Outcome = InsightWorkflowResult['outcomes'][number];

export async function insightWorkflow(input: InsightWorkflowInput): Promise<InsightWorkflowResult> {
  const { insightId } = input;
  const pending: InsightChange[] = [...(input.pending ?? [])];
  const seen = new Set<string>(input.seenChangeIds ?? []);
  const outcomes: Outcome[] = [];
  let handled = input.handled ?? 0;
  const state: InsightWorkflowState = { insightId, step: 'starting', status: 'idle', revision: null, pending: pending.length, lastOutcome: null };
  const graph = graphStep(input.settings.graphRetryWindowSeconds);
  const graphLocal = graphLocalStep(input.settings.graphRetryWindowSeconds);

  setHandler(insightChangeSignal, (change) => {
    if (seen.has(change.changeId)) return;
    seen.add(change.changeId);
    pending.push(change);
  });
  setHandler(insightStateQuery, () => ({ ...state, pending: pending.length }));

  const step = (text: string) => {
    state.step = text;
    setCurrentDetails(`**${insightId}** revision ${state.revision ?? '-'}: ${text}${pending.length ? ` (${pending.length} more queued)` : ''}`);
  };
  const done = (change: InsightChange, outcome: InsightOutcome, extra: { revision?: number; reason?: string } = {}): Outcome => {
    state.lastOutcome = outcome;
    return { changeId: change.changeId, kind: change.kind, outcome, ...extra };
  };

  async function process(change: InsightChange): Promise<Outcome> {
    state.status = 'processing';
    step(`${change.kind}: saving the document (status processing)`);
    const saved = await documents.saveInsightDocument({ insightId, userId: input.userId, change });
    if (saved.outcome === 'missing') return done(change, 'skipped-missing');
    if (saved.outcome === 'duplicate-create') return done(change, 'skipped-duplicate-create');
    if (saved.outcome === 'already-applied') return done(change, 'processed', { revision: saved.revision });
    const revision = saved.revision;
    state.revision = revision;
    const content = saved.content ?? change.content!;

    step('extracting keywords and entities');
    let extracted;
    try {
      extracted = await extraction.extractInsightKeywords({ title: content.title, content: content.content, tags: content.tags });
    } catch (error) {
      const reason = failureReason(error);
      await documents.markInsightFailed({ insightId, step: 'extract', reason, intent: 'process' });
      state.status = 'failed';
      return done(change, 'failed', { revision, reason });
    }

    step('writing the graph (Neo4j)');
    let written;
    try {
      const writer = patched(GRAPH_LOCAL_PATCH) ? graphLocal : graph;
      written = await writer.writeInsightGraph({
        insightId,
        revision,
        userId: saved.userId,
        title: content.title,
        tags: content.tags,
        keywords: extracted.keywords,
        createdAt: saved.createdAt,
        updatedAt: saved.updatedAt,
      });
    } catch (error) {
      const reason = failureReason(error);
      step(`graph step gave up: ${reason}`);
      await documents.markInsightFailed({ insightId, step: 'graph', reason, intent: 'process' });
      state.status = 'failed';
      return done(change, 'failed', { revision, reason });
    }
    if (written.outcome === 'stale') return done(change, 'superseded', { revision });

    step('setting the document processed');
    await documents.markInsightProcessed({
      insightId,
      revision,
      keywords: extracted.keywords,
      entities: extracted.entities,
      terms: extracted.terms,
      related: written.related.map(({ id, score }) => ({ id, score })),
    });
    state.status = 'processed';
    return done(change, 'processed', { revision });
  }

  async function remove(change: InsightChange): Promise<Outcome> {
    state.status = 'deleting';
    step('delete: setting the document deleting');
    const { found } = await documents.markInsightDeleting({ insightId });
    step('delete: removing the node and its edges (Neo4j)');
    try {
      await graph.deleteInsightGraph({ insightId });
    } catch (error) {
      const reason = failureReason(error);
      if (found) await documents.markInsightFailed({ insightId, step: 'delete', reason, intent: 'delete' });
      state.status = 'failed';
      return done(change, 'failed', { reason });
    }
    step('delete: removing the document');
    await documents.deleteInsightDocument({ insightId });
    state.status = 'idle';
    state.revision = null;
    return done(change, 'deleted');
  }

  while (pending.length > 0) {
    const { change, superseded } = takeNext(pending);
    for (const skipped of superseded) outcomes.push(done(skipped, 'superseded'));
    outcomes.push(change.kind === 'delete' ? await remove(change) : await process(change));
    handled++;
    if (pending.length > 0 && (handled >= MAX_CHANGES_PER_RUN || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof insightWorkflow>({ ...input, pending, seenChangeIds: [...seen].slice(-SEEN_KEPT), handled: 0 });
    }
  }
  step(`done: ${outcomes.map((outcome) => `${outcome.kind} ${outcome.outcome}`).join(', ') || 'nothing to do'}`);
  await condition(allHandlersFinished);
  return { insightId, outcomes };
}
