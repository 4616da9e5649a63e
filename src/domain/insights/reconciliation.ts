/**
 * The hourly reconciliation's decision, as a pure function of one id range seen from both stores: which
 * documents must go back through their insight workflow, and which graph nodes have no document.
 *
 * - processed, no node                          → missing in graph: reprocess
 * - processed, node or derived fields of another revision → stale: reprocess
 * - failed                                      → re-drive what it wanted (reprocess or delete)
 * - processing/deleting for longer than grace   → stuck: re-drive (a run that is still busy just gets the
 *   change queued behind its current one; one that died is replaced)
 * - processing/deleting within grace            → in flight: left alone
 * - node with no document                       → orphan: delete the node and its edges
 */
import type { InsightStatus } from './insight';

export interface DocumentRow {
  id: string;
  status: InsightStatus;
  revision: number;
  derivedRevision: number;
  /** When the status was last set. */
  statusAt: Date;
  failureIntent: 'process' | 'delete' | null;
}

export interface NodeRow {
  id: string;
  revision: number | null;
}

export type Redrive = { id: string; kind: 'reprocess' | 'delete'; why: 'missing-in-graph' | 'stale' | 'failed' | 'stuck' };

export interface RangeDiff {
  redrive: Redrive[];
  orphanNodes: string[];
}

/** `docs` and `nodes` cover the same id range completely. `processingStaleBefore`: older is stuck. */
export function diffRange(docs: DocumentRow[], nodes: NodeRow[], processingStaleBefore: Date): RangeDiff {
  const nodeRevision = new Map(nodes.map((node) => [node.id, node.revision]));
  const docIds = new Set(docs.map((doc) => doc.id));
  const redrive: Redrive[] = [];
  for (const doc of docs) {
    const inGraph = nodeRevision.has(doc.id);
    switch (doc.status) {
      case 'processed':
        if (!inGraph) redrive.push({ id: doc.id, kind: 'reprocess', why: 'missing-in-graph' });
        else if (nodeRevision.get(doc.id) !== doc.revision || doc.derivedRevision !== doc.revision) {
          redrive.push({ id: doc.id, kind: 'reprocess', why: 'stale' });
        }
        break;
      case 'failed':
        redrive.push({ id: doc.id, kind: doc.failureIntent === 'delete' ? 'delete' : 'reprocess', why: 'failed' });
        break;
      case 'processing':
      case 'deleting':
        if (doc.statusAt < processingStaleBefore) {
          redrive.push({ id: doc.id, kind: doc.status === 'deleting' ? 'delete' : 'reprocess', why: 'stuck' });
        }
        break;
    }
  }
  const orphanNodes = nodes.filter((node) => !docIds.has(node.id)).map((node) => node.id);
  return { redrive, orphanNodes };
}

/**
 * Merge-join bounds: each store was read after `after` up to its own page limit; only ids up to the smaller
 * of the two last ids are complete on both sides (null: that side reached its end).
 */
export function commonBound(docIds: string[], docsFull: boolean, nodeIds: string[], nodesFull: boolean): string | null {
  const bounds = [docsFull ? docIds[docIds.length - 1]! : null, nodesFull ? nodeIds[nodeIds.length - 1]! : null].filter(
    (bound): bound is string => bound !== null,
  );
  if (bounds.length === 0) return null;
  return bounds.reduce((min, bound) => (bound < min ? bound : min));
}
