/**
 * `npx tsx scripts/alerts/train-model.ts [version]`: trains the local alert model on the repo's seeded synthetic
 * data and writes src/domain/alerts/model/params-v<version>.json (default: the current version, which
 * reproduces the committed file byte for byte). A new version is then made current in model/index.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_MODEL_VERSION } from '../../src/domain/alerts/model';
import { trainModel } from '../../src/domain/alerts/model/train';

const version = Number(process.argv[2] ?? CURRENT_MODEL_VERSION);
if (!Number.isInteger(version) || version < 1) {
  console.error('usage: train-model.ts [version ≥ 1]');
  process.exit(2);
}
const started = Date.now();
const params = trainModel(version);
const file = join(__dirname, '..', '..', 'src', 'domain', 'alerts', 'model', `params-v${version}.json`);
writeFileSync(file, `${JSON.stringify(params, null, 2)}\n`);
console.log(`wrote ${file} in ${Date.now() - started} ms`);
console.log(`thresholds ${JSON.stringify(params.thresholds)}; validation at monitor ${JSON.stringify(params.training.validationAtMonitor)}`);
if (version !== CURRENT_MODEL_VERSION) console.log(`make it current: CURRENT_MODEL_VERSION = ${version} in src/domain/alerts/model/index.ts`);
