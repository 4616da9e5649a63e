/**
 * The current local model. A retrained model is a new params-v<N>.json (never an edited one: recorded
 * evaluations name the version that scored them) made current here.
 */
import { assertCompatible, type LogisticModelParams } from './logistic';
import paramsV1 from './params-v1.json';

export const CURRENT_MODEL_VERSION = 1;

const versions: Record<number, LogisticModelParams> = { 1: paramsV1 as LogisticModelParams };

export function modelParams(version: number = CURRENT_MODEL_VERSION): LogisticModelParams {
  const params = versions[version];
  if (!params) throw new Error(`no local alert model v${version} (known: ${Object.keys(versions).join(', ')})`);
  assertCompatible(params);
  return params;
}

export { score, contributions, type LogisticModelParams, type ModelThresholds } from './logistic';
