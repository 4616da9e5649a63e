/** The LLM prompt stays within the token budget: context is trimmed, oldest first, before anything is sent. */
import { emptyFeatures } from '../../src/domain/alerts/features';
import { buildPrompt, estimateTokens, PROMPT_VERSION, type PromptContext, type RecentEntry } from '../../src/domain/alerts/prompt';

const context = (recent: number, descriptionLength = 60): PromptContext => ({
  event: {
    eventId: '6a3c3c9e-8d7b-4f7e-9a43-2f0a1d1c0b01',
    occurredAt: '2026-01-15T05:00:00.000Z',
    requestId: '9b1f1f2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
    accountId: 'acc-1',
    amount: '9000.00',
    direction: 'debit',
    dataRef: '2026-01-15',
    description: 'transferência',
    counterparty: null,
  },
  features: emptyFeatures('acc-1', '2026-01-15T05:00:00.000Z'),
  local: { score: 0.7, action: 'monitor', reason: 'logistic-v1: suspicious', modelVersion: 'logistic-v1' },
  recentEntries: Array.from(
    { length: recent },
    (_, index): RecentEntry => ({
      accepted_at: new Date(Date.UTC(2026, 0, 14, 12) - index * 60_000).toISOString(),
      amount: '100.00',
      direction: 'debit',
      description: 'x'.repeat(descriptionLength),
      counterparty: `cp-${index}`,
    }),
  ),
});

test('a small context is sent whole, with the versioned system prompt', () => {
  const prompt = buildPrompt(context(5), 5488, '{}')!;
  expect(prompt.recentEntriesKept).toBe(5);
  expect(prompt.system).toContain(PROMPT_VERSION);
  expect(prompt.user).toContain('"amount":"9000.00"');
  expect(prompt.estimatedInputTokens).toBe(estimateTokens(prompt.system) + estimateTokens(prompt.user) + estimateTokens('{}') + 16);
});

test('a context past the budget is trimmed (oldest entries first) until the estimate fits', () => {
  const budget = 5488;
  const prompt = buildPrompt(context(2000, 300), budget, '{"type":"object"}')!;
  expect(prompt.recentEntriesOffered).toBe(2000);
  expect(prompt.recentEntriesKept).toBeGreaterThan(0);
  expect(prompt.recentEntriesKept).toBeLessThan(2000);
  expect(prompt.estimatedInputTokens).toBeLessThanOrEqual(budget);
  // The newest entries are the ones kept.
  expect(prompt.user).toContain('"counterparty":"cp-0"');
  expect(prompt.user).not.toContain('"counterparty":"cp-1999"');
});

test('when not even the entry fits, no prompt is built (the caller falls back)', () => {
  expect(buildPrompt(context(0), 100, '{}')).toBeUndefined();
});
