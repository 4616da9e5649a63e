// The workflow bundle entry: re-exports every domain's workflows.
export * from './probe';
export * from './ledger';
