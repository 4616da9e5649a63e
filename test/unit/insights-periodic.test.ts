/** The insight workflows' pure decisions: change collapsing, the reconciliation's diff, digests, cursors. */
import { takeNext } from '../../src/domain/insights/changes';
import { DigestAccumulator, digestPeriod } from '../../src/domain/insights/digest';
import { decodeCursor, encodeCursor } from '../../src/domain/insights/page-cursor';
import { commonBound, diffRange, type DocumentRow } from '../../src/domain/insights/reconciliation';
import { termShard } from '../../src/domain/insights/store-layout';
import type { InsightChange } from '../../src/domain/insights/workflow';

const change = (changeId: string, kind: InsightChange['kind']): InsightChange => ({
  changeId,
  kind,
  receivedAt: '2025-01-01T00:00:00.000Z',
  context: { requestId: 'r', principal: 'p' },
});

describe('the insight workflow takes changes in order', () => {
  test('a run of updates collapses into the last update; create and delete are never collapsed', () => {
    const pending = [change('c', 'create'), change('u1', 'update'), change('r1', 'reprocess'), change('u2', 'update'), change('d', 'delete'), change('u3', 'update')];
    expect(takeNext(pending).change.changeId).toBe('c');
    const next = takeNext(pending);
    expect(next.change.changeId).toBe('u2');
    expect(next.superseded.map(({ changeId }) => changeId)).toEqual(['r1', 'u1']);
    expect(takeNext(pending).change.changeId).toBe('d');
    expect(takeNext(pending).change.changeId).toBe('u3');
    expect(pending).toEqual([]);
  });

  test('re-drives alone collapse into one', () => {
    const pending = [change('r1', 'reprocess'), change('r2', 'reprocess')];
    expect(takeNext(pending)).toMatchObject({ change: { changeId: 'r2' }, superseded: [{ changeId: 'r1' }] });
  });
});

describe('reconciliation diff', () => {
  const old = new Date('2025-01-01T00:00:00Z');
  const recent = new Date('2025-01-01T01:00:00Z');
  const staleBefore = new Date('2025-01-01T00:30:00Z');
  const doc = (id: string, status: DocumentRow['status'], extra: Partial<DocumentRow> = {}): DocumentRow => ({
    id,
    status,
    revision: 2,
    derivedRevision: 2,
    statusAt: old,
    failureIntent: null,
    ...extra,
  });

  test('classifies each document and finds orphan nodes', () => {
    const docs = [
      doc('a', 'processed'),
      doc('b', 'processed'),
      doc('c', 'processed'),
      doc('d', 'processed', { derivedRevision: 1 }),
      doc('e', 'failed', { failureIntent: 'delete' }),
      doc('f', 'processing'),
      doc('g', 'processing', { statusAt: recent }),
      doc('h', 'deleting'),
    ];
    const nodes = [
      { id: 'a', revision: 2 },
      { id: 'c', revision: 1 },
      { id: 'd', revision: 2 },
      { id: 'g', revision: null },
      { id: 'x', revision: 1 },
    ];
    expect(diffRange(docs, nodes, staleBefore)).toEqual({
      redrive: [
        { id: 'b', kind: 'reprocess', why: 'missing-in-graph' },
        { id: 'c', kind: 'reprocess', why: 'stale' },
        { id: 'd', kind: 'reprocess', why: 'stale' },
        { id: 'e', kind: 'delete', why: 'failed' },
        { id: 'f', kind: 'reprocess', why: 'stuck' },
        { id: 'h', kind: 'delete', why: 'stuck' },
      ],
      orphanNodes: ['x'],
    });
  });

  test('only ids complete on both sides are compared', () => {
    expect(commonBound(['a', 'c', 'e'], true, ['b', 'd'], false)).toBe('e');
    expect(commonBound(['a', 'c', 'e'], true, ['b', 'd'], true)).toBe('d');
    expect(commonBound(['a'], false, [], false)).toBeNull();
  });
});

describe('digests', () => {
  test('counts, top tags, summed keyword weights and the latest insights', () => {
    const digest = new DigestAccumulator();
    digest.add({ id: '1', title: 'one', created_at: new Date('2025-01-01'), tags: ['pix', 'fraude'], keywords: [{ term: 'golpe', weight: 0.8 }] });
    digest.add({ id: '2', title: 'two', created_at: new Date('2025-01-03'), tags: ['pix'], keywords: [{ term: 'golpe', weight: 0.5 }, { term: 'loja', weight: 0.6 }] });
    expect(digest.result()).toEqual({
      insight_count: 2,
      top_tags: [
        { tag: 'pix', count: 2 },
        { tag: 'fraude', count: 1 },
      ],
      top_keywords: [
        { term: 'golpe', weight: 1.3 },
        { term: 'loja', weight: 0.6 },
      ],
      insights: [
        { id: '2', title: 'two', created_at: new Date('2025-01-03'), tags: ['pix'] },
        { id: '1', title: 'one', created_at: new Date('2025-01-01'), tags: ['pix', 'fraude'] },
      ],
    });
    expect(digestPeriod(new Date('2025-01-08T11:00:00Z'))).toEqual({ start: new Date('2025-01-01T11:00:00Z'), end: new Date('2025-01-08T11:00:00Z') });
  });
});

test('page cursors round-trip and reject anything else', () => {
  const cursor = { createdAt: new Date('2025-02-03T04:05:06.789Z'), id: 'abc' };
  expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  expect(decodeCursor('not-a-cursor')).toBeNull();
  expect(decodeCursor(Buffer.from('{"c":"x","i":"y"}').toString('base64url'))).toBeNull();
});

test('a term always lands in the same shard', () => {
  expect(termShard('pix')).toBe(termShard('pix'));
  expect(termShard('pix')).toMatch(/^df-\d{2}$/);
});
