/**
 * Which Neo4j failures end an insight's graph step at once (non-retryable `InsightGraphRejected`) and which
 * Temporal retries within the insight's retry window.
 */
import { ApplicationFailure } from '@temporalio/common';
import { asActivityError, isPermanentGraphError } from '../../src/activities/insights/graph';
import { insightErrors } from '../../src/domain/insights/workflow';
import { Neo4jStoreError } from '../../src/stores/neo4j';

const error = (code: string, retryable: boolean) => new Neo4jStoreError(`neo4j ${code}: boom`, code, retryable);

test('a statement the server refuses is permanent and becomes InsightGraphRejected', () => {
  for (const code of ['Neo.ClientError.Statement.SyntaxError', 'Neo.ClientError.Schema.ConstraintValidationFailed', 'Neo.ClientError.Request.Invalid']) {
    expect(isPermanentGraphError(error(code, false))).toBe(true);
    const failure = asActivityError(error(code, false)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: insightErrors.graphRejected, nonRetryable: true });
  }
});

test('outages, lock timeouts and driver glitches are retried', () => {
  const retried = [
    error('ServiceUnavailable', true),
    error('Neo.TransientError.Transaction.DeadlockDetected', true),
    // Waited too long for locks under load: a later attempt usually gets them.
    error('Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration', false),
    // The driver's own TypeError (responses out of step on one connection), wrapped by the store as Unknown.
    error('Unknown', false),
  ];
  for (const failure of retried) {
    expect(isPermanentGraphError(failure)).toBe(false);
    expect(asActivityError(failure)).toBe(failure);
  }
  const plain = new Error('socket hang up');
  expect(asActivityError(plain)).toBe(plain);
});
