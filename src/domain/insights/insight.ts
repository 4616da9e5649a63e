/**
 * An insight: `{id, user_id, title, content, tags[], source, created_at, updated_at}` plus its processing
 * state, and the API's wire format (snake_case) as zod schemas that validate requests and generate OpenAPI.
 */
import { z } from 'zod';
import type { Entity } from './entities';
import type { Keyword } from './keywords';
import { foldAccents } from './text';

export const INSIGHT_LIMITS = {
  titleMax: 300,
  contentMax: 50_000,
  tagsMax: 20,
  tagMax: 64,
  sourceMax: 500,
} as const;

/** processing → processed | failed; deleting while a delete runs (the document then disappears). */
export const insightStatuses = ['processing', 'processed', 'failed', 'deleting'] as const;
export type InsightStatus = (typeof insightStatuses)[number];

/**
 * Tags are compared in one canonical form: accents folded, lower case, inner spaces as hyphens
 * ("Finanças Pessoais" → "financas-pessoais"), so the same tag typed two ways is one Tag node.
 */
export function normalizeTag(raw: string): string {
  return foldAccents(raw).trim().toLowerCase().replace(/\s+/g, '-');
}
const TAG_PATTERN = new RegExp(`^[\\p{L}\\p{N}][\\p{L}\\p{N}._-]{0,${INSIGHT_LIMITS.tagMax - 1}}$`, 'u');
export const isValidTag = (raw: string) => TAG_PATTERN.test(normalizeTag(raw));

/** Canonical, de-duplicated, in first-seen order. */
export function normalizeTags(raw: string[]): string[] {
  return [...new Set(raw.map(normalizeTag))];
}

const notBlank = (value: string) => value.trim().length > 0;

export const userIdSchema = z
  .string()
  .regex(/^[\w.@:-]{1,128}$/, 'must be 1-128 letters, digits or . _ @ : -')
  .describe('Author: the user id as the caller knows it');

const tagSchema = z
  .string()
  .min(1)
  .max(200)
  .refine(isValidTag, `must be a letter or digit then letters, digits, spaces, . _ - (at most ${INSIGHT_LIMITS.tagMax} once normalised)`);

const contentFields = {
  title: z.string().max(INSIGHT_LIMITS.titleMax).refine(notBlank, 'must not be blank'),
  content: z.string().max(INSIGHT_LIMITS.contentMax).refine(notBlank, 'must not be blank'),
  tags: z
    .array(tagSchema)
    .max(INSIGHT_LIMITS.tagsMax)
    .default([])
    .describe('Normalised: accents folded, lower case, spaces as hyphens; duplicates dropped'),
  source: z.string().min(1).max(INSIGHT_LIMITS.sourceMax).default('api').describe('Where the insight came from (a URL, an app, "manual")'),
};

export const createInsightSchema = z
  .object({
    id: z.uuid().optional().describe('Idempotency key: repeating a request with the same id answers the same and creates one insight'),
    user_id: userIdSchema,
    ...contentFields,
  })
  .strict();
export type CreateInsightBody = z.infer<typeof createInsightSchema>;

/** PUT replaces the content; the author (user_id) never changes. */
export const updateInsightSchema = z.object(contentFields).strict();
export type UpdateInsightBody = z.infer<typeof updateInsightSchema>;

export const insightIdParams = z.object({ id: z.uuid() });
export const userIdParams = z.object({ id: userIdSchema });
export const tagParams = z.object({ tag: tagSchema });

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(500).optional().describe('next_cursor of the previous page'),
  })
  .strict();

export const relatedQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(50).default(10) })
  .strict();

export const acceptedSchema = z.object({
  insight_id: z.uuid(),
  workflow_id: z.string(),
  status: z.literal('accepted'),
  status_url: z.string(),
});

const keywordSchema = z.object({ term: z.string(), weight: z.number() });
const entitySchema = z.object({ text: z.string(), kind: z.string(), count: z.number().int() });
const failureSchema = z.object({ step: z.string(), reason: z.string(), at: z.string() });

/** GET /v1/insights/{id}: the document; only id, status and workflow_id while the workflow has not saved it yet. */
export const insightViewSchema = z.object({
  id: z.uuid(),
  status: z.enum([...insightStatuses, 'accepted']),
  workflow_id: z.string(),
  user_id: z.string().optional(),
  title: z.string().optional(),
  content: z.string().optional(),
  tags: z.array(z.string()).optional(),
  source: z.string().optional(),
  revision: z.number().int().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  processed_at: z.string().nullable().optional(),
  keywords: z.array(keywordSchema).optional(),
  entities: z.array(entitySchema).optional(),
  related_ids: z.array(z.string()).optional(),
  failure: failureSchema.nullable().optional(),
});
export type InsightView = z.infer<typeof insightViewSchema>;

export const insightSummarySchema = z.object({
  id: z.string(),
  user_id: z.string(),
  title: z.string(),
  tags: z.array(z.string()),
  status: z.enum(insightStatuses),
  created_at: z.string(),
  updated_at: z.string(),
  keywords: z.array(z.string()).describe('The heaviest keywords, heaviest first'),
});

export const insightPageSchema = z.object({
  items: z.array(insightSummarySchema),
  next_cursor: z.string().nullable(),
});

export const relatedViewSchema = z.object({
  insight_id: z.string(),
  status: z.enum(insightStatuses),
  related: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      user_id: z.string(),
      score: z.number(),
      shared_tags: z.array(z.string()),
    }),
  ),
});

export const digestViewSchema = z.object({
  user_id: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  generated_at: z.string(),
  insight_count: z.number().int(),
  top_tags: z.array(z.object({ tag: z.string(), count: z.number().int() })),
  top_keywords: z.array(z.object({ term: z.string(), weight: z.number() })),
  insights: z.array(z.object({ id: z.string(), title: z.string(), created_at: z.string(), tags: z.array(z.string()) })),
});

/** What a processed insight carries besides its content. */
export interface InsightDerived {
  keywords: Keyword[];
  entities: Entity[];
}
