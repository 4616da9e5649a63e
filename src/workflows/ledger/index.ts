// The ledger domain's workflows (see docs/ledger.md).
export { ledgerBufferWorkflow } from './buffer';
export { ledgerOutboxRelayWorkflow } from './outbox-relay';
