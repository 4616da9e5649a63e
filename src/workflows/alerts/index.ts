// The alert domain's workflows: evaluation per event, the review saga, the hourly feature refresh.
export { alertEvaluationWorkflow } from './evaluate';
export { alertReviewWorkflow } from './review';
export { alertFeatureRefreshWorkflow } from './feature-refresh';
