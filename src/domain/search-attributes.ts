/**
 * fluxo's custom search attributes, registered on the Temporal namespace by the stack script (native) and
 * by `npm run temporal:setup` elsewhere. Workflows set them so operators can filter in the Web UI.
 */
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
  NoteId: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof searchAttributes;
