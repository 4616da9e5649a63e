// The workflow bundle entry: re-exports every domain's workflows.
export * from './probe';
export * from './ledger';
export * from './maintenance/saga';
export * from './catalog';
export * from './consolidation';
export * from './alerts';
export * from './insights';
