/**
 * A synthetic, reproducible insight corpus for `bench:insights`: a seeded generator, so every run of the
 * benchmark writes the same insights and related-insight queries hit the same graph shape.
 *
 * Shape (chosen to look like a real tracker, not a best case):
 * - TOPICS topics, each with its own vocabulary of TOPIC_TERMS pseudo-words, plus a shared vocabulary that
 *   every topic borrows from (so keywords link insights across topics too);
 * - 40-90 words of content: mostly topic words (Zipf within the topic), some shared words, and Portuguese and
 *   English stop words the extractor has to drop;
 * - 1-4 tags: the topic's tag and up to three from a pool with Zipf popularity (a few tags carry hundreds of
 *   insights, which is what makes scoring candidates at write time cost something);
 * - USERS authors with Zipf activity.
 */
const TOPICS = 40;
const TOPIC_TERMS = 80;
const SHARED_TERMS = 1000;
const TAG_POOL = 500;
const USERS = 1000;
const SYLLABLES = ['ba', 'ce', 'di', 'fo', 'gu', 'la', 'me', 'ni', 'po', 'ru', 'sa', 'te', 'vi', 'xo', 'za', 'tra', 'bre', 'cli', 'dro', 'pla'];
const STOP_WORDS = ['de', 'para', 'com', 'uma', 'que', 'the', 'of', 'and', 'with', 'não', 'mais', 'pelo', 'this', 'from'];

/** mulberry32: small, fast, good enough for test data, identical on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index in [0, n) with P(i) ∝ 1 / (i + 1)^s, by inverse transform over the precomputed cumulative weights. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cumulative.push((total += 1 / (i + 1) ** s));
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/** Distinct pronounceable pseudo-words (3-4 syllables), so no two topics share a term by accident. */
function vocabulary(count: number, random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < count) {
    const syllables = 3 + Math.floor(random() * 2);
    let word = '';
    for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

export interface BenchInsight {
  user_id: string;
  title: string;
  content: string;
  tags: string[];
}

export function generateCorpus(count: number, seed = 9): BenchInsight[] {
  const random = prng(seed);
  const words = vocabulary(TOPICS * TOPIC_TERMS + SHARED_TERMS, random);
  const topics = Array.from({ length: TOPICS }, (_, t) => words.slice(t * TOPIC_TERMS, (t + 1) * TOPIC_TERMS));
  const shared = words.slice(TOPICS * TOPIC_TERMS);
  const topicOf = zipf(TOPICS, 0.5, random);
  const termOf = zipf(TOPIC_TERMS, 1.0, random);
  const sharedOf = zipf(SHARED_TERMS, 0.8, random);
  const tagOf = zipf(TAG_POOL, 0.9, random);
  const userOf = zipf(USERS, 0.8, random);

  const insights: BenchInsight[] = [];
  for (let i = 0; i < count; i++) {
    const topic = topicOf();
    const vocabularyOfTopic = topics[topic]!;
    const word = () => {
      const roll = random();
      if (roll < 0.75) return vocabularyOfTopic[termOf()]!;
      if (roll < 0.85) return shared[sharedOf()]!;
      return STOP_WORDS[Math.floor(random() * STOP_WORDS.length)]!;
    };
    const length = 40 + Math.floor(random() * 51);
    const sentences: string[] = [];
    let sentence: string[] = [];
    for (let w = 0; w < length; w++) {
      sentence.push(word());
      if (sentence.length >= 8 + Math.floor(random() * 6)) {
        sentences.push(`${sentence.join(' ')}.`);
        sentence = [];
      }
    }
    if (sentence.length) sentences.push(`${sentence.join(' ')}.`);
    const titleWords = Array.from({ length: 4 + Math.floor(random() * 4) }, () => vocabularyOfTopic[termOf()]!);
    const tags = new Set([`topic-${topic}`]);
    const extraTags = Math.floor(random() * 4);
    for (let t = 0; t < extraTags; t++) tags.add(`tag-${tagOf()}`);
    insights.push({
      user_id: `bench-user-${userOf()}`,
      title: titleWords.join(' ').replace(/^./, (first) => first.toUpperCase()),
      content: sentences.join(' ').replace(/^./, (first) => first.toUpperCase()),
      tags: [...tags],
    });
  }
  return insights;
}

/** Deterministic ids, so a re-run addresses the same insights (and a crash leaves recognisable leftovers). */
export const BENCH_ID_PREFIX = '00000000-0000-4000-8000-';

export function benchInsightId(seed: number, index: number): string {
  const hex = (seed * 1_000_003 + index).toString(16).padStart(12, '0').slice(-12);
  return `${BENCH_ID_PREFIX}${hex}`;
}
