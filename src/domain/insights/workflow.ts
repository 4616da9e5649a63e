/**
 * The per-insight workflow's contract: id `insight-<id>`, the change signal every create, update, delete
 * and re-drive arrives through (signal-with-start: the running workflow takes it, or a new run starts with
 * it), and what the workflow reports.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { RequestContext } from '../request-context';
import { searchAttributeKeys } from '../search-attributes';
import { taskQueues } from '../task-queues';
import type { InsightStatus } from './insight';

export const INSIGHT_WORKFLOW_TYPE = 'insightWorkflow';
export const insightWorkflowId = (insightId: string) => `insight-${insightId}`;

/**
 * - create: first version; ignored when the document already exists (a repeated POST);
 * - update: replaces title, content, tags and source; ignored when the document does not exist;
 * - delete: removes the document, the node and its edges;
 * - reprocess: runs extraction and the graph again from the stored document (reconciliation).
 */
export type InsightChangeKind = 'create' | 'update' | 'delete' | 'reprocess';

export interface InsightContent {
  title: string;
  content: string;
  tags: string[];
  source: string;
}

export interface InsightChange {
  /** Idempotency: `create:<id>`, `delete:<id>`, the PUT's Idempotency-Key, or a fresh id. */
  changeId: string;
  kind: InsightChangeKind;
  /** create and update only. */
  content?: InsightContent;
  /** When the API accepted it: the document's updated_at (and created_at for a create). */
  receivedAt: string;
  context: RequestContext;
}

export interface InsightSettings {
  /** How long the graph step retries (Neo4j down, transient errors) before the insight is marked failed. */
  graphRetryWindowSeconds: number;
}

export interface InsightWorkflowInput {
  insightId: string;
  userId: string;
  settings: InsightSettings;
  /** Carried across continue-as-new. */
  pending?: InsightChange[];
  seenChangeIds?: string[];
  handled?: number;
}

export type InsightOutcome =
  | 'processed'
  | 'failed'
  | 'deleted'
  | 'skipped-duplicate-create'
  | 'skipped-missing'
  | 'superseded';

export interface InsightWorkflowResult {
  insightId: string;
  /** Outcome of each change handled by this run, in order. */
  outcomes: Array<{ changeId: string; kind: InsightChangeKind; outcome: InsightOutcome; revision?: number; reason?: string }>;
}

export interface InsightWorkflowState {
  insightId: string;
  step: string;
  status: InsightStatus | 'idle';
  revision: number | null;
  pending: number;
  lastOutcome: InsightOutcome | null;
}

export const insightChangeSignal = defineSignal<[InsightChange]>('insightChange');
export const insightStateQuery = defineQuery<InsightWorkflowState>('state');

/** Error types the insight activities throw (non-retryable); callers match on them. */
export const insightErrors = {
  graphRejected: 'InsightGraphRejected',
  invalidDocument: 'InsightInvalidDocument',
} as const;

/** The options of `client.workflow.signalWithStart` for one change (API and reconciliation use the same). */
export function insightSignalWithStart(input: { insightId: string; userId: string; settings: InsightSettings; change: InsightChange; summary: string }) {
  return {
    workflowId: insightWorkflowId(input.insightId),
    taskQueue: taskQueues.insights,
    args: [{ insightId: input.insightId, userId: input.userId, settings: input.settings }] as [InsightWorkflowInput],
    signal: insightChangeSignal,
    signalArgs: [input.change] as [InsightChange],
    memo: { request_id: input.change.context.requestId, principal: input.change.context.principal },
    typedSearchAttributes: [
      { key: searchAttributeKeys.RequestId, value: input.change.context.requestId },
      { key: searchAttributeKeys.Principal, value: input.change.context.principal },
      { key: searchAttributeKeys.UserId, value: input.userId },
    ] as SearchAttributePair[],
    staticSummary: input.summary.slice(0, 200),
  };
}
