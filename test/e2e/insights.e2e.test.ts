/**
 * Insights end to end (HTTP → Temporal → MongoDB + Neo4j → HTTP) on the real servers
 * (FLUXO_TEST_SERVICES=postgres,temporal,mongo,neo4j): a hand-checked corpus is processed and related
 * correctly, before and after the nightly recomputation; lists, update and delete reach both stores; repeats
 * and bad input change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { normalizeTags } from '../../src/domain/insights/insight';
import { topRelated } from '../../src/domain/insights/related-score';
import { insightCollections, type InsightDocument } from '../../src/domain/insights/store-layout';
import { startTestApi, startTestWorkers, eventually, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';
import { cleanInsightStores, graphNode, processed, TEST_SCOPE, waitForInsight } from '../support/insights';
import { corpus, expectedRelated, type CorpusItem } from '../support/insights-corpus';

const RUN = randomUUID().slice(0, 8);
const items = corpus(RUN);
const ids = new Map<CorpusItem['key'], string>();
const keyOf = (id: string) => [...ids].find(([, value]) => value === id)?.[0];
let api: TestApi;
let workers: TestWorkers;
let client: Client;

beforeAll(async () => {
  api = await startTestApi({ QUOTA_REQUESTS: '0' });
  await cleanInsightStores(api.stores);
  workers = await startTestWorkers(['insights']);
  client = api.temporal.client;
}, 120_000);
afterAll(async () => {
  await api?.close();
  await workers?.stop();
});

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const documents = () => api.stores.mongo.collection<InsightDocument>(insightCollections.insights);

async function relatedKeys(key: CorpusItem['key']) {
  const body = await json(await send('GET', `/v1/insights/${ids.get(key)}/related?limit=10`));
  return { keys: body.related.map((item: { id: string }) => keyOf(item.id)), related: body.related as Array<{ id: string; score: number; shared_tags: string[] }> };
}

/** The related-score formula in TypeScript over the stored documents: what Neo4j must agree with. */
async function formulaRelated(key: CorpusItem['key']) {
  const docs = await documents().find({ _id: { $in: [...ids.values()] } }).toArray();
  const scorable = docs.map((doc) => ({ id: doc._id, tags: doc.tags, keywords: doc.keywords }));
  return topRelated(scorable.find((doc) => doc.id === ids.get(key))!, scorable, 10);
}

test('a corpus created over HTTP is processed into both stores and related as checked by hand', async () => {
  for (const item of items) {
    const id = randomUUID();
    ids.set(item.key, id);
    const response = await send('POST', '/v1/insights', { id, user_id: item.user_id, title: item.title, content: item.content, tags: item.tags });
    expect(response.status).toBe(202);
    expect(await json(response)).toEqual({ insight_id: id, workflow_id: `insight-${id}`, status: 'accepted', status_url: `/v1/insights/${id}` });
  }
  for (const item of items) {
    const body = await waitForInsight(api, ids.get(item.key)!, processed(1));
    expect(body).toMatchObject({ user_id: item.user_id, title: item.title, tags: normalizeTags(item.tags), source: 'api', failure: null });
    expect(body.keywords.length).toBeGreaterThan(3);
    const node = await graphNode(api.stores, ids.get(item.key)!);
    expect(node).toMatchObject({ revision: 1, title: item.title });
    expect(node!.tags.sort()).toEqual(normalizeTags(item.tags).sort());
    expect(node!.keywords.sort()).toEqual(body.keywords.map((keyword: { term: string }) => keyword.term).sort());
  }
  const a1 = await json(await send('GET', `/v1/insights/${ids.get('A1')}`));
  expect(a1.entities).toContainEqual({ text: 'PIX', kind: 'acronym', count: 2 });
  expect(a1.keywords.map((keyword: { term: string }) => keyword.term)).toEqual(expect.arrayContaining(['fraude', 'pix', 'golpe']));

  for (const key of Object.keys(expectedRelated) as CorpusItem['key'][]) {
    const { keys, related } = await relatedKeys(key);
    expect({ key, keys }).toEqual({ key, keys: expectedRelated[key] });
    const formula = await formulaRelated(key);
    expect(related.map(({ id }) => id)).toEqual(formula.map(({ id }) => id));
    related.forEach((item, i) => expect(item.score).toBeCloseTo(formula[i]!.score, 5));
  }
  const { related } = await relatedKeys('A1');
  expect(related[0]!.shared_tags).toEqual(['pix']);

  // The workflow is visible by user in the Web UI.
  const description = await client.workflow.getHandle(`insight-${ids.get('A1')}`).describe();
  expect(description.searchAttributes.UserId).toEqual([`ana-${RUN}`]);
}, 600_000);

test('the nightly recomputation (paged, continuing as new) re-weights with corpus statistics and keeps the hand-checked relations', async () => {
  const result = await client.workflow.execute('insightsRecomputeWorkflow', {
    workflowId: `insights-recompute-test-${RUN}`,
    taskQueue: 'insights',
    args: [{ pageSize: 2, pagesPerRun: 2 }],
  });
  expect(result).toMatchObject({ documents: 7, keywordsScanned: 7, relatedScanned: 7 });
  expect(result.runs).toBeGreaterThan(2);
  expect(result.keywordsChanged).toBeGreaterThan(0);
  const stats = await api.stores.mongo.collection(insightCollections.termStats).findOne({ _id: 'corpus' as never });
  expect(stats).toMatchObject({ documents: 7 });

  for (const key of Object.keys(expectedRelated) as CorpusItem['key'][]) {
    const { keys, related } = await relatedKeys(key);
    expect({ key, keys }).toEqual({ key, keys: expectedRelated[key] });
    const formula = await formulaRelated(key);
    related.forEach((item, i) => expect(item.score).toBeCloseTo(formula[i]!.score, 5));
    const doc = await documents().findOne({ _id: ids.get(key)! });
    expect(doc!.related.map(({ id }) => keyOf(id))).toEqual(expectedRelated[key]);
  }
}, 600_000);

test('lists by user and by tag, newest first, with cursors', async () => {
  const firstPage = await json(await send('GET', `/v1/users/ana-${RUN}/insights?limit=2`));
  expect(firstPage.items).toHaveLength(2);
  expect(firstPage.next_cursor).toEqual(expect.any(String));
  const secondPage = await json(await send('GET', `/v1/users/ana-${RUN}/insights?limit=2&cursor=${firstPage.next_cursor}`));
  const listed = [...firstPage.items, ...secondPage.items].map((item: { id: string }) => keyOf(item.id));
  // POSTed in corpus order, so newest first is the reverse.
  expect(listed).toEqual(['C1', 'A2', 'A1']);
  expect(secondPage.next_cursor).toBeNull();

  const byTag = await json(await send('GET', `/v1/tags/${encodeURIComponent('PIX')}/insights`));
  expect(byTag.items.map((item: { id: string }) => keyOf(item.id))).toEqual(['A3', 'A2', 'A1']);
  const accented = await json(await send('GET', `/v1/tags/${encodeURIComponent('Café')}/insights`));
  expect(accented.items.map((item: { id: string }) => keyOf(item.id))).toEqual(['B2', 'B1']);

  const badCursor = await send('GET', `/v1/users/ana-${RUN}/insights?cursor=nope`);
  expect(badCursor.status).toBe(400);
  expect((await json(badCursor)).invalid_params).toEqual([{ name: 'query.cursor', reason: 'not a valid cursor' }]);
});

test('an update reaches both stores: new revision, tags, keywords and relations', async () => {
  const id = ids.get('A3')!;
  const response = await send(
    'PUT',
    `/v1/insights/${id}`,
    { title: 'Torra escura de grãos arábica', content: 'Grãos arábica com torra escura perdem acidez e ganham amargor.', tags: ['Café'] },
    { 'idempotency-key': `put-${RUN}` },
  );
  expect(response.status).toBe(202);
  const body = await waitForInsight(api, id, processed(2));
  expect(body).toMatchObject({ title: 'Torra escura de grãos arábica', tags: ['cafe'] });
  expect(body.keywords.map((keyword: { term: string }) => keyword.term)).toEqual(expect.arrayContaining(['torra', 'graos', 'arabica']));
  expect(body.keywords.map((keyword: { term: string }) => keyword.term)).not.toContain('pix');

  const node = await graphNode(api.stores, id);
  expect(node).toMatchObject({ revision: 2, tags: ['cafe'] });
  // Now a coffee insight: B1 has exactly its tag set (Jaccard 1), B2 half of it; the keyword parts cannot make
  // up the difference of 0.25, so B1 first; the pix insights share nothing with it any more.
  expect((await relatedKeys('A3')).keys).toEqual(['B1', 'B2']);
  expect((await relatedKeys('A1')).keys).toEqual(['A2']);
  expect((await relatedKeys('B1')).keys).toContain('A3');

  // The same Idempotency-Key again is recognised: no third revision.
  const again = await send('PUT', `/v1/insights/${id}`, { title: 'Torra escura de grãos arábica', content: 'x', tags: [] }, { 'idempotency-key': `put-${RUN}` });
  expect(again.status).toBe(202);
  await eventually(async () => ((await client.workflow.getHandle(`insight-${id}`).describe()).status.name === 'COMPLETED' ? true : undefined), 120_000);
  expect(await documents().findOne({ _id: id })).toMatchObject({ revision: 2, title: 'Torra escura de grãos arábica' });
}, 300_000);

test('a delete removes the document, the node and its edges', async () => {
  const id = ids.get('A2')!;
  expect((await send('DELETE', `/v1/insights/${id}`)).status).toBe(202);
  await eventually(async () => ((await send('GET', `/v1/insights/${id}`)).status === 404 ? true : undefined), 180_000, 300);
  expect(await documents().findOne({ _id: id })).toBeNull();
  expect(await graphNode(api.stores, id)).toBeNull();
  const edges = await api.stores.neo4j.read<{ edges: number }>(
    'MATCH (i:Insight)-[r]-(other) WHERE i.key = $key RETURN count(r) AS edges',
    { key: `${TEST_SCOPE}|${id}` },
  );
  expect(edges[0]?.edges ?? 0).toBe(0);
  expect((await relatedKeys('A1')).keys).toEqual([]);
  expect((await send('GET', `/v1/insights/${id}/related`)).status).toBe(404);
  expect((await send('PUT', `/v1/insights/${id}`, { title: 't', content: 'c' })).status).toBe(404);
  expect((await send('DELETE', `/v1/insights/${id}`)).status).toBe(404);
}, 300_000);

test('a repeated POST with the same id answers the same and creates one insight', async () => {
  const id = randomUUID();
  const body = { id, user_id: `carla-${RUN}`, title: 'Uma vez só', content: 'Idempotência na criação de insights.', tags: ['teste'] };
  const first = await send('POST', '/v1/insights', body);
  const second = await send('POST', '/v1/insights', body);
  expect(first.status).toBe(202);
  expect(second.status).toBe(202);
  expect(await json(second)).toEqual(await json(first));
  await waitForInsight(api, id, processed(1));
  const third = await send('POST', '/v1/insights', body);
  expect(third.status).toBe(202);
  expect(await documents().countDocuments({ user_id: `carla-${RUN}` })).toBe(1);
  expect(await documents().findOne({ _id: id })).toMatchObject({ revision: 1, status: 'processed' });
  const otherUser = await send('POST', '/v1/insights', { ...body, user_id: `dora-${RUN}` });
  expect(otherUser.status).toBe(409);
}, 300_000);

test('bad input is a 400 problem naming each field, and writes nothing', async () => {
  const id = randomUUID();
  const response = await send('POST', '/v1/insights', {
    id,
    user_id: 'has spaces',
    title: '   ',
    content: '',
    tags: ['ok', '#bad'],
    colour: 'red',
  });
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await json(response);
  expect(problem.invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(
    ['body.colour', 'body.content', 'body.tags.1', 'body.title', 'body.user_id'],
  );
  expect((await send('GET', `/v1/insights/${id}`)).status).toBe(404);
  expect(await documents().findOne({ _id: id })).toBeNull();

  const badUpdate = await send('PUT', `/v1/insights/${ids.get('A1')}`, { title: 'x', content: 'y', user_id: 'someone-else' });
  expect(badUpdate.status).toBe(400);
  expect((await json(badUpdate)).invalid_params.map((param: { name: string }) => param.name)).toEqual(['body.user_id']);
  expect((await send('GET', '/v1/insights/not-a-uuid')).status).toBe(400);
  expect((await send('GET', `/v1/insights/${ids.get('A1')}/related?limit=0`)).status).toBe(400);
  expect((await send('GET', `/v1/users/${encodeURIComponent('bad user')}/digest`)).status).toBe(400);
});
