/**
 * The deterministic entity extractor: things an insight names, found by their shape in the original text
 * (before normalisation, because capitals and symbols are the signal):
 * - `url` (http/https), `email`, `mention` (@handle), `hashtag` (#tag);
 * - `acronym`: an all-capitals word with at least two letters (API, PIX, B3 is too short to tell);
 * - `name`: a run of capitalised words ("Banco Central do Brasil", "New York"), lower-case connectors
 *   (de, da, do, of, the, ...) allowed between two of them, leading stop words dropped ("O Banco Central" →
 *   "Banco Central"). A single capitalised word is a name only when it does not start a sentence, where
 *   every word is capitalised.
 * Entities are counted per distinct (kind, accent-folded lower-case text), reported with their first
 * spelling, most frequent first (ties: first seen), at most MAX_ENTITIES.
 */
import { isStopWord, normalizeText } from './text';

export const MAX_ENTITIES = 25;

/** The local extractor's kinds, then those the optional LLM enrichment assigns (llm-enrichment.ts). */
export type EntityKind = 'url' | 'email' | 'mention' | 'hashtag' | 'acronym' | 'name' | 'person' | 'organization' | 'place' | 'product' | 'event';

export interface Entity {
  text: string;
  kind: EntityKind;
  count: number;
}

const SYMBOLIC: Array<{ kind: EntityKind; pattern: RegExp; group: number }> = [
  { kind: 'url', pattern: /\bhttps?:\/\/[^\s<>"'()[\]{}]+/giu, group: 0 },
  { kind: 'email', pattern: /\b[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu, group: 0 },
  { kind: 'mention', pattern: /(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_]{2,30})\b/gu, group: 0 },
  { kind: 'hashtag', pattern: /(?<![\p{L}\p{N}_#&])#([\p{L}\p{N}_]{2,50})/gu, group: 0 },
];

const CONNECTORS = new Set(['de', 'da', 'do', 'das', 'dos', 'e', 'of', 'the', 'and', 'van', 'von', 'del', 'di', 'du', 'la', 'le']);
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
const ACRONYM = /^(?=(?:[\p{N}]*\p{Lu}){2})[\p{Lu}\p{N}]{2,10}$/u;
const CAPITALISED = /^\p{Lu}(?!\p{Lu}*$)[\p{L}\p{N}'’-]*$/u;
/** Between two words of one name only spaces (a line break, comma or full stop ends it). */
const JOINS_A_NAME = /^[ \t]+$/;
const ENDS_A_SENTENCE = /[.!?:;\n]/;

class Tally {
  private readonly seen = new Map<string, { entity: Entity; first: number }>();
  add(kind: EntityKind, text: string, position: number): void {
    const key = `${kind}\u0000${normalizeText(text)}`;
    const current = this.seen.get(key);
    if (current) current.entity.count++;
    else this.seen.set(key, { entity: { text, kind, count: 1 }, first: position });
  }
  result(): Entity[] {
    return [...this.seen.values()]
      .sort((a, b) => b.entity.count - a.entity.count || a.first - b.first)
      .slice(0, MAX_ENTITIES)
      .map(({ entity }) => entity);
  }
}

const trimTrailingPunctuation = (text: string) => text.replace(/[.,;:!?]+$/u, '');

export function extractEntities(text: string): Entity[] {
  const tally = new Tally();
  // Symbolic entities first, then blanked out (a full stop keeps them from joining names around them).
  let rest = text;
  for (const { kind, pattern } of SYMBOLIC) {
    rest = rest.replace(pattern, (match: string, ...args: unknown[]) => {
      const offset = args.find((arg) => typeof arg === 'number') as number;
      const cleaned = trimTrailingPunctuation(match);
      if (cleaned.length > 1) tally.add(kind, cleaned, offset);
      return ` .${' '.repeat(Math.max(0, match.length - 2))}`;
    });
  }

  let phrase: Array<{ word: string; position: number }> = [];
  let phraseStartsSentence = false;
  let pendingConnectors: string[] = [];
  const flush = () => {
    let words = phrase;
    while (words.length > 0 && isStopWord(normalizeText(words[0]!.word))) words = words.slice(1);
    const startsSentence = phraseStartsSentence && words[0] === phrase[0];
    if (words.length > 1 || (words.length === 1 && !startsSentence)) {
      tally.add('name', words.map(({ word }) => word).join(' '), words[0]!.position);
    }
    phrase = [];
    pendingConnectors = [];
  };

  let previousEnd = 0;
  let atSentenceStart = true;
  for (const match of rest.matchAll(WORD)) {
    const word = match[0];
    const position = match.index;
    const gap = rest.slice(previousEnd, position);
    previousEnd = position + word.length;
    const sentenceStart = atSentenceStart || ENDS_A_SENTENCE.test(gap);
    atSentenceStart = false;
    const contiguous = JOINS_A_NAME.test(gap);

    if (ACRONYM.test(word)) {
      flush();
      tally.add('acronym', word, position);
      continue;
    }
    if (CAPITALISED.test(word)) {
      if (phrase.length > 0 && contiguous) {
        // Connectors between two capitalised words belong to the name ("Banco Central do Brasil").
        for (const connector of pendingConnectors) phrase.push({ word: connector, position });
        pendingConnectors = [];
        phrase.push({ word, position });
      } else {
        flush();
        phrase = [{ word, position }];
        phraseStartsSentence = sentenceStart;
      }
      continue;
    }
    if (phrase.length > 0 && contiguous && CONNECTORS.has(word) && pendingConnectors.length < 2) {
      pendingConnectors.push(word);
      continue;
    }
    flush();
  }
  flush();
  return tally.result();
}
