// The insights domain's workflows (task queue `insights`).
export { insightWorkflow } from './insight';
export { insightsRecomputeWorkflow } from './recompute';
export { insightsReconcileWorkflow } from './reconcile';
export { insightsWeeklyDigestWorkflow } from './digest';
