/** The insights domain's pure parts: normalisation, stop words, TF-IDF keywords, entities, the related score. */
import { extractEntities } from '../../src/domain/insights/entities';
import { normalizeTag, normalizeTags, isValidTag } from '../../src/domain/insights/insight';
import { countTerms, inverseDocumentFrequency, keywordWeights, type CorpusStats } from '../../src/domain/insights/keywords';
import { relatedScore, topRelated } from '../../src/domain/insights/related-score';
import { normalizeText, terms } from '../../src/domain/insights/text';

const stats = (documents: number, df: Record<string, number>): CorpusStats => ({ documents, df: (term) => df[term] ?? 0 });

describe('normalisation and stop words', () => {
  test('accents are folded and case lowered, so typed-with and typed-without accents match', () => {
    expect(normalizeText('Ação, Análise e Previsão de CRÉDITO')).toBe('acao, analise e previsao de credito');
    expect(terms('Análise de crédito')).toEqual(terms('analise de CREDITO'));
  });

  test('Portuguese and English stop words, bare numbers and one-letter tokens are dropped', () => {
    expect(terms('O Banco Central não é the bank of Brazil em 2024, e a taxa subiu 3 vezes')).toEqual(['banco', 'central', 'bank', 'brazil', 'taxa', 'subiu']);
    expect(terms("We don't think it's the market's fault")).toEqual(['think', 'market', 'fault']);
  });

  test('tags have one canonical form', () => {
    expect(normalizeTag('  Finanças Pessoais ')).toBe('financas-pessoais');
    expect(normalizeTags(['PIX', 'pix', 'Pix ', 'fraude'])).toEqual(['pix', 'fraude']);
    expect(isValidTag('#hashtag')).toBe(false);
    expect(isValidTag('machine learning')).toBe(true);
  });
});

describe('TF-IDF keywords', () => {
  test('title terms count twice and counts are sorted, then alphabetical', () => {
    expect(countTerms({ title: 'Fraude no PIX', content: 'pix pix fraude golpe' })).toEqual([
      { term: 'pix', count: 4 },
      { term: 'fraude', count: 3 },
      { term: 'golpe', count: 1 },
    ]);
  });

  test('the smoothed idf favours rare terms and stays positive for terms in every document', () => {
    expect(inverseDocumentFrequency(100, 0)).toBeCloseTo(Math.log(101) + 1);
    expect(inverseDocumentFrequency(100, 100)).toBeCloseTo(1);
    expect(inverseDocumentFrequency(0, 0)).toBe(1);
  });

  test('a rare term outranks a common one with the same count, weights have unit length', () => {
    const counts = [
      { term: 'mercado', count: 2 },
      { term: 'tokenizacao', count: 2 },
      { term: 'ativos', count: 1 },
    ];
    const keywords = keywordWeights(counts, stats(1000, { mercado: 900, tokenizacao: 3, ativos: 40 }), 3);
    expect(keywords.map(({ term }) => term)).toEqual(['tokenizacao', 'ativos', 'mercado']);
    const norm = Math.sqrt(keywords.reduce((sum, { weight }) => sum + weight ** 2, 0));
    expect(norm).toBeCloseTo(1, 5);
    // Hand-computed: raw weights (1 + ln 2)(ln(1001/4) + 1), (ln(1001/41) + 1), (1 + ln 2)(ln(1001/901) + 1).
    const raw = [(1 + Math.log(2)) * (Math.log(1001 / 4) + 1), Math.log(1001 / 41) + 1, (1 + Math.log(2)) * (Math.log(1001 / 901) + 1)];
    const length = Math.hypot(...raw);
    expect(keywords.map(({ weight }) => weight)).toEqual(raw.map((weight) => Math.round((weight / length) * 1e6) / 1e6));
  });

  test('no statistics at all: weights are log term frequencies, and the limit keeps the heaviest', () => {
    const keywords = keywordWeights(countTerms({ title: 'x', content: 'alfa alfa alfa beta beta gama' }), stats(0, {}), 2);
    expect(keywords.map(({ term }) => term)).toEqual(['alfa', 'beta']);
    expect(keywordWeights([], stats(0, {}), 5)).toEqual([]);
  });

  test('same input, same output', () => {
    const input = { title: 'Open finance no Brasil', content: 'APIs abertas, consentimento e portabilidade de dados bancários.' };
    const corpus = stats(10, { dados: 5, brasil: 8 });
    expect(keywordWeights(countTerms(input), corpus, 12)).toEqual(keywordWeights(countTerms(input), corpus, 12));
  });
});

describe('entities', () => {
  test('symbols, acronyms and capitalised names', () => {
    const entities = extractEntities(
      'O Banco Central do Brasil lançou o PIX em 2020. Segundo a FEBRABAN, fraudes caíram. ' +
        'Veja https://bcb.gov.br/pix, escreva para imprensa@bcb.gov.br ou siga @BancoCentralBR #pix. ' +
        'Depois o Banco Central do Brasil publicou regras com a Receita Federal.',
    );
    const byKind = (kind: string) => entities.filter((entity) => entity.kind === kind).map(({ text, count }) => [text, count]);
    expect(byKind('name')).toEqual([
      ['Banco Central do Brasil', 2],
      ['Receita Federal', 1],
    ]);
    expect(byKind('acronym')).toEqual([
      ['PIX', 1],
      ['FEBRABAN', 1],
    ]);
    expect(byKind('url')).toEqual([['https://bcb.gov.br/pix', 1]]);
    expect(byKind('email')).toEqual([['imprensa@bcb.gov.br', 1]]);
    expect(byKind('mention')).toEqual([['@BancoCentralBR', 1]]);
    expect(byKind('hashtag')).toEqual([['#pix', 1]]);
  });

  test('a single capitalised word that starts a sentence is not a name; one inside a sentence is', () => {
    const names = extractEntities('Ontem choveu. Hoje falamos com Maria sobre o projeto.').filter((entity) => entity.kind === 'name');
    expect(names.map(({ text }) => text)).toEqual(['Maria']);
  });
});

describe('related score', () => {
  const a = { id: 'a', tags: ['pix', 'fraude'], keywords: [{ term: 'golpe', weight: 0.8 }, { term: 'pix', weight: 0.6 }] };
  const b = { id: 'b', tags: ['pix'], keywords: [{ term: 'pix', weight: 0.6 }, { term: 'loja', weight: 0.8 }] };
  const c = { id: 'c', tags: ['credito'], keywords: [{ term: 'golpe', weight: 1 }] };
  const d = { id: 'd', tags: ['cafe'], keywords: [{ term: 'espresso', weight: 1 }] };

  test('half the tag Jaccard plus half the keyword cosine', () => {
    // Tags: |{pix}| / |{pix, fraude}| = 0.5; keywords: pix 0.6 × 0.6 = 0.36 → 0.5 × 0.5 + 0.5 × 0.36.
    expect(relatedScore(a, b)).toEqual({ score: 0.43, sharedTags: 1, keywordSimilarity: 0.36 });
    expect(relatedScore(b, a).score).toBe(0.43);
    expect(relatedScore(a, c).score).toBe(0.4);
    expect(relatedScore(a, d).score).toBe(0);
    expect(relatedScore(a, a).score).toBe(1);
  });

  test('top related: best first, unrelated and self left out', () => {
    expect(topRelated(a, [a, b, c, d], 10)).toEqual([
      { id: 'b', score: 0.43 },
      { id: 'c', score: 0.4 },
    ]);
    expect(topRelated(a, [a, b, c, d], 1)).toEqual([{ id: 'b', score: 0.43 }]);
  });
});
