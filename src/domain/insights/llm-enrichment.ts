/**
 * The optional LLM enrichment of an insight's entities (INSIGHTS_LLM_ENRICHMENT): what the model is asked, the
 * structured answer it must give, and how that answer is merged into the local extractor's entities.
 *
 * Only entities are enriched. Keywords stay the deterministic extractor's: their weights are what the related
 * score is made of, and the nightly recomputation re-derives them from the text, so an LLM's keywords would
 * make scores unreproducible and be overwritten the next night anyway. Entities are descriptive (the API
 * returns them, nothing is computed from them), which is where a model's reading adds something: the kind of
 * a name ("Banco Central do Brasil" → organization) and names the capitalisation rules miss.
 *
 * The merge trusts the model only with what the text backs: an entity the text does not contain (accents and
 * case folded) is dropped, so a hallucinated name never reaches the document.
 */
import { z } from 'zod';
import { MAX_ENTITIES, type Entity } from './entities';
import { foldAccents } from './text';

export const llmEntityKinds = ['person', 'organization', 'place', 'product', 'event'] as const;

export const llmEnrichmentSchema = z.object({
  entities: z
    .array(z.object({ text: z.string().min(1).max(120), kind: z.enum(llmEntityKinds) }))
    .max(MAX_ENTITIES)
    .describe('Named entities that appear verbatim in the text'),
});
export type LlmEnrichment = z.infer<typeof llmEnrichmentSchema>;

/** Longest text sent to the model: a long insight's first part says what it is about. */
export const ENRICHMENT_TEXT_MAX = 6000;

export function enrichmentPrompt(input: { title: string; content: string }): { system: string; user: string } {
  return {
    system:
      'You extract named entities from short notes written in Portuguese or English. ' +
      `Answer with JSON only: {"entities": [{"text": ..., "kind": one of ${llmEntityKinds.join(', ')}}]}. ` +
      'Copy each entity exactly as it appears in the note; leave out anything that is not a proper name.',
    user: `Title: ${input.title}\n\n${input.content.slice(0, ENRICHMENT_TEXT_MAX)}`,
  };
}

const fold = (text: string) => foldAccents(text).toLowerCase().replace(/\s+/g, ' ').trim();

function occurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/**
 * The local entities with the model's kinds where it named the same entity (a local `name` becomes e.g. an
 * `organization`), plus the entities only the model found, each counted in the text; anything the text does
 * not contain is dropped. Most frequent first, at most MAX_ENTITIES.
 */
export function mergeEntities(local: Entity[], enrichment: LlmEnrichment, text: string): Entity[] {
  const folded = fold(text);
  const byText = new Map(local.map((entity) => [fold(entity.text), { ...entity }]));
  for (const suggested of enrichment.entities) {
    const key = fold(suggested.text);
    const count = occurrences(folded, key);
    if (count === 0) continue;
    const known = byText.get(key);
    if (known) {
      if (known.kind === 'name') known.kind = suggested.kind;
    } else {
      byText.set(key, { text: suggested.text.trim(), kind: suggested.kind, count });
    }
  }
  return [...byText.values()]
    .sort((a, b) => b.count - a.count || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, MAX_ENTITIES);
}
