// The consolidation's workflows (task queue `reports`).
export { consolidationWorkflow } from './daily';
export { consolidationBackfillWorkflow } from './backfill';
export { consolidationScheduledWorkflow } from './scheduled';
