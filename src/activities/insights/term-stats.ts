/**
 * Document frequencies, kept in MongoDB as TERM_STATS_SHARDS shard documents plus a `corpus` document, so a
 * worker reads them all with one small query and caches them (INSIGHTS_TERM_STATS_CACHE_SECONDS).
 *
 * They are rebuilt exactly from the insights' stored terms by the nightly recomputation, not incremented per
 * insight: on FerretDB each write is its own SQLite transaction (~7 ms of fsync here) and an insight has
 * tens of distinct terms, so per-insight increments would cost more than the rest of its processing and could
 * not be made exactly-once without transactions. Between rebuilds a new term counts as unseen (largest idf).
 */
import { CORPUS_DOCUMENT_ID, insightCollections, TERM_STATS_SHARDS, termShard, type CorpusDocument, type TermStatsShard } from '../../domain/insights/store-layout';
import type { CorpusStats } from '../../domain/insights/keywords';
import type { AnyBulkWriteOperation, Document, MongoStore } from '../../stores/mongo';
import { beat, insightsOf, termStatsOf } from './context';

export interface LoadedTermStats extends CorpusStats {
  generation: number;
  terms: number;
}

const isCorpus = (doc: TermStatsShard | CorpusDocument): doc is CorpusDocument => doc._id === CORPUS_DOCUMENT_ID;

export async function loadTermStats(mongo: MongoStore): Promise<LoadedTermStats> {
  const docs = (await termStatsOf(mongo).find({}).toArray()) as Array<TermStatsShard | CorpusDocument>;
  const df = new Map<string, number>();
  let corpus: CorpusDocument | undefined;
  for (const doc of docs) {
    if (isCorpus(doc)) corpus = doc;
    // `?? {}`: an empty shard written by an upsert on FerretDB comes back without the field.
    else for (const [term, count] of Object.entries(doc.df ?? {})) df.set(term, count);
  }
  return {
    documents: corpus?.documents ?? 0,
    generation: corpus?.generation ?? 0,
    terms: df.size,
    df: (term) => df.get(term) ?? 0,
  };
}

/** A per-process cache of the statistics; concurrent callers share one read. */
export class TermStatsCache {
  private current?: { at: number; stats: LoadedTermStats };
  private loading?: Promise<LoadedTermStats>;

  constructor(
    private readonly mongo: MongoStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(options: { fresh?: boolean } = {}): Promise<LoadedTermStats> {
    if (!options.fresh && this.current && this.now() - this.current.at < this.ttlMs) return this.current.stats;
    this.loading ??= loadTermStats(this.mongo).finally(() => {
      this.loading = undefined;
    });
    const stats = await this.loading;
    this.current = { at: this.now(), stats };
    return stats;
  }
}

/**
 * Counts, over every insight document, how many contain each term, and replaces the shards and the corpus
 * document. One streaming scan (heartbeating); idempotent, so a retried attempt simply counts again.
 */
export async function rebuildTermStats(mongo: MongoStore): Promise<{ documents: number; terms: number; generation: number }> {
  const df = new Map<string, number>();
  let documents = 0;
  const cursor = insightsOf(mongo).find({}, { projection: { terms: 1 } }).batchSize(500);
  for await (const doc of cursor) {
    const terms = doc.terms ?? [];
    if (terms.length === 0) continue;
    documents++;
    for (const { term } of terms) df.set(term, (df.get(term) ?? 0) + 1);
    if (documents % 500 === 0) beat({ phase: 'counting', documents });
  }

  const shards = new Map<string, Record<string, number>>();
  for (let i = 0; i < TERM_STATS_SHARDS; i++) shards.set(`df-${String(i).padStart(2, '0')}`, {});
  for (const [term, count] of df) shards.get(termShard(term))![term] = count;

  const generation = Date.now();
  type StatsDoc = { _id: string } & Document;
  const operations: AnyBulkWriteOperation<StatsDoc>[] = [...shards].map(([id, counts]) => ({
    replaceOne: { filter: { _id: id }, replacement: { generation, df: counts }, upsert: true },
  }));
  // The corpus document last: readers that see the new generation see every shard already written.
  operations.push({
    replaceOne: {
      filter: { _id: CORPUS_DOCUMENT_ID },
      replacement: { generation, documents, terms: df.size, built_at: new Date() },
      upsert: true,
    },
  });
  beat({ phase: 'writing', documents });
  await mongo.collection<StatsDoc>(insightCollections.termStats).bulkWrite(operations, { ordered: true });
  return { documents, terms: df.size, generation };
}
