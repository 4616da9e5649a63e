/**
 * Text normalisation shared by the keyword extractor, tags and stop words: Unicode compatibility
 * decomposition, combining marks (accents, cedilla) removed, lower case. "Análise de Ações" and
 * "analise de acoes" become the same terms, so Portuguese text typed with or without accents matches.
 */
import { STOP_WORDS } from './stop-words';

/** Shortest and longest term kept; one-letter tokens and run-on garbage say nothing. */
export const MIN_TERM_LENGTH = 2;
export const MAX_TERM_LENGTH = 40;

/** "Ação" → "acao": NFKD, then every combining mark dropped. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

export function normalizeText(text: string): string {
  return foldAccents(text).toLowerCase();
}

/** Splits on anything that is not a letter or a digit (any script); apostrophes split too ("don't" → don, t). */
export function rawTokens(text: string): string[] {
  return normalizeText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function isStopWord(token: string): boolean {
  return STOP_WORDS.has(token);
}

/** A token worth counting: not a stop word, not a bare number, of a sensible length. */
export function isTerm(token: string): boolean {
  return (
    token.length >= MIN_TERM_LENGTH &&
    token.length <= MAX_TERM_LENGTH &&
    !/^\p{N}+$/u.test(token) &&
    !STOP_WORDS.has(token)
  );
}

/** The terms of a text, in order, repeats kept (term frequency is counted from this). */
export function terms(text: string): string[] {
  return rawTokens(text).filter(isTerm);
}
