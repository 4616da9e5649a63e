/**
 * The hourly feature refresh (schedule `alerts-features-hourly`): recomputes every account's rolling features,
 * so windows decay for accounts without new entries (an evaluation refreshes its own account as it runs).
 */
import { setCurrentDetails } from '@temporalio/workflow';
import { refresh } from './activities';

export async function alertFeatureRefreshWorkflow(): Promise<{ accounts: number }> {
  setCurrentDetails('refreshing every account’s rolling features');
  const result = await refresh.refreshAccountFeatures();
  setCurrentDetails(`refreshed ${result.accounts} accounts`);
  return result;
}
