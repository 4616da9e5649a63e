/**
 * fluxo's custom search attributes: registered on the namespace by the stack script (natively) and by
 * `temporal operator search-attribute create` elsewhere; set by workflows so operators can filter in the Web UI.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributes = {
  RequestId: 'Keyword',
  Principal: 'Keyword',
  DataRef: 'Keyword',
  AccountId: 'Keyword',
  CatalogVersion: 'Int',
  JaegerId: 'Keyword',
  SagaStep: 'Keyword',
  AlertAction: 'Keyword',
  AlertScore: 'Double',
  UserId: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof searchAttributes;

/** Typed keys for `typedSearchAttributes` (client) and `upsertSearchAttributes` (workflow). */
export const searchAttributeKeys = {
  RequestId: defineSearchAttributeKey('RequestId', SearchAttributeType.KEYWORD),
  Principal: defineSearchAttributeKey('Principal', SearchAttributeType.KEYWORD),
  DataRef: defineSearchAttributeKey('DataRef', SearchAttributeType.KEYWORD),
  AccountId: defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD),
  CatalogVersion: defineSearchAttributeKey('CatalogVersion', SearchAttributeType.INT),
  JaegerId: defineSearchAttributeKey('JaegerId', SearchAttributeType.KEYWORD),
  SagaStep: defineSearchAttributeKey('SagaStep', SearchAttributeType.KEYWORD),
  AlertAction: defineSearchAttributeKey('AlertAction', SearchAttributeType.KEYWORD),
  AlertScore: defineSearchAttributeKey('AlertScore', SearchAttributeType.DOUBLE),
  UserId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
} as const;
