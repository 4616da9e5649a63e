// The catalog domain's workflows (task queue `catalog`).
export { catalogPublishWorkflow } from './publish';
export { catalogScheduledPublishWorkflow } from './scheduled';
