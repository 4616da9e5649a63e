/**
 * The optional LLM enrichment of insight extraction (INSIGHTS_LLM_ENRICHMENT) against the loopback stand-in for
 * Vertex AI's `generateContent`: the real client (LangChain ChatGoogle, the alerts' provider settings) is asked
 * for entities, what the text backs is merged into the local extractor's, and every failure (HTTP error, no
 * answer in time, output outside the schema) leaves the local result in place. Keywords are always the local
 * extractor's. No store is needed: the corpus statistics are a stub.
 */
import { createInsightActivities } from '../../src/activities/insights';
import { createExtractionActivities } from '../../src/activities/insights/extraction';
import { createLlmEnricher } from '../../src/activities/insights/llm-enricher';
import type { TermStatsCache } from '../../src/activities/insights/term-stats';
import { loadConfig } from '../../src/config';
import { EMPTY_CORPUS } from '../../src/domain/insights/keywords';
import { mergeEntities } from '../../src/domain/insights/llm-enrichment';
import type { InsightStores } from '../../src/activities/insights/context';
import { promptText, startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in';

const stats = { get: async () => ({ ...EMPTY_CORPUS, generation: 0, terms: 0 }) } as unknown as TermStatsCache;
const INSIGHT = {
  title: 'Copom e a taxa Selic',
  content: 'O Banco Central do Brasil manteve a Selic; Maria Silva comentou a decisão em São Paulo. O Banco Central do Brasil volta a se reunir em março.',
  tags: ['economia'],
};

let standIn: VertexStandIn;
const settings = (overrides: Record<string, string> = {}) =>
  loadConfig({
    ...process.env,
    INSIGHTS_LLM_ENRICHMENT: 'true',
    INSIGHTS_LLM_TIMEOUT_MS: '1500',
    ALERTS_LLM_AUTH: 'api-key',
    ALERTS_LLM_API_KEY: 'stand-in-key',
    ALERTS_LLM_ENDPOINT: standIn.url,
    ALERTS_LLM_MODEL: 'gemini-2.5-flash',
    ...overrides,
  });
const extract = (overrides: Record<string, string> = {}) =>
  createExtractionActivities(stats, 12, createLlmEnricher(settings(overrides))).extractInsightKeywords(INSIGHT);
const local = () => createExtractionActivities(stats, 12).extractInsightKeywords(INSIGHT);

beforeAll(async () => {
  standIn = await startVertexStandIn();
});
afterAll(async () => {
  await standIn?.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
});

test('the model names entities: kinds refined, new ones added when the text has them, invented ones dropped; keywords stay local', async () => {
  standIn.respondWith({
    kind: 'text',
    text: JSON.stringify({
      entities: [
        { text: 'Banco Central do Brasil', kind: 'organization' },
        { text: 'Maria Silva', kind: 'person' },
        { text: 'Sao Paulo', kind: 'place' },
        { text: 'Atlântida', kind: 'place' },
      ],
    }),
  });
  const [enriched, plain] = await Promise.all([extract(), local()]);

  expect(standIn.requests).toHaveLength(1);
  expect(standIn.requests[0]!.path).toMatch(/models\/gemini-2\.5-flash:generateContent$/);
  expect(promptText(standIn.requests[0]!.body)).toContain('Copom e a taxa Selic');
  expect(enriched.source).toBe('llm:gemini-2.5-flash');
  expect(enriched.keywords).toEqual(plain.keywords);
  expect(enriched.terms).toEqual(plain.terms);
  expect(enriched.entities).toEqual(
    expect.arrayContaining([
      { text: 'Banco Central do Brasil', kind: 'organization', count: 2 },
      expect.objectContaining({ text: 'Maria Silva', kind: 'person' }),
      // Accents folded to find it in the text, the model's spelling kept.
      expect.objectContaining({ text: 'Sao Paulo', kind: 'place' }),
    ]),
  );
  expect(enriched.entities.find((entity) => entity.text === 'Atlântida')).toBeUndefined();
});

test.each([
  ['an HTTP error', { kind: 'status', status: 503, message: 'overloaded' } as const],
  ['no answer in time', { kind: 'hang' } as const],
  ['output outside the schema', { kind: 'text', text: '{"entities": [{"text": "Copom", "kind": "committee"}]}' } as const],
  ['text that is not JSON', { kind: 'text', text: 'Sorry, I cannot help with that.' } as const],
])('%s: the local result is kept', async (_name, reply) => {
  standIn.respondWith(reply);
  const [enriched, plain] = await Promise.all([extract({ INSIGHTS_LLM_TIMEOUT_MS: '500' }), local()]);
  expect(standIn.requests.length).toBeGreaterThanOrEqual(1);
  expect(enriched).toEqual(plain);
  expect(enriched.source).toBe('local');
}, 20_000);

test('off by default: the activities use the local extractor and never call the model', async () => {
  standIn.respondWith({ kind: 'text', text: '{"entities": []}' });
  const stores = {} as InsightStores;
  const activities = createInsightActivities(stores, settings({ INSIGHTS_LLM_ENRICHMENT: 'false' }));
  expect(loadConfig({}).INSIGHTS_LLM_ENRICHMENT).toBe(false);
  // Extraction needs the corpus statistics (MongoDB); here only the wiring is checked: no enricher, no request.
  expect(activities.extractInsightKeywords).toBeInstanceOf(Function);
  expect(standIn.requests).toHaveLength(0);
});

test('mergeEntities: counts what the text holds, keeps the most frequent first, never more than the cap', () => {
  const merged = mergeEntities(
    [{ text: 'PIX', kind: 'acronym', count: 3 }],
    { entities: [{ text: 'PIX', kind: 'product' }, { text: 'Nubank', kind: 'organization' }] },
    'PIX, PIX e PIX no Nubank',
  );
  // A local kind more specific than `name` is kept; the new entity is counted in the text.
  expect(merged).toEqual([
    { text: 'PIX', kind: 'acronym', count: 3 },
    { text: 'Nubank', kind: 'organization', count: 1 },
  ]);
});
