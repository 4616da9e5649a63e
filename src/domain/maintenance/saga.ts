/**
 * The maintenance saga's vocabulary, shared by the workflow, its activities and the API: steps, side effects
 * and their compensations, the workflow's input, its `status` query and its `approve`/`reject` updates.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RequestContext } from '../request-context';
import type { Role } from '../roles';
import type { MaintenanceType } from './catalog';

/** One maintenance per jaeger at a time: the workflow id is the lock. */
export const maintenanceWorkflowId = (jaegerId: string) => `maintenance-${jaegerId}`;
export const MAINTENANCE_WORKFLOW_TYPE = 'maintenanceSaga';

/** The saga's steps in order (the `SagaStep` search attribute while it runs). */
export const sagaSteps = ['availability', 'approval', 'allocation', 'scheduling', 'execution'] as const;
export type SagaStep = (typeof sagaSteps)[number];

/** How a saga ends (the `SagaStep` search attribute once it has ended). */
export const sagaOutcomes = ['completed', 'rejected', 'failed', 'cancelled', 'compensation_failed'] as const;
export type SagaOutcome = (typeof sagaOutcomes)[number];

/** Where the saga is: a step, compensating, or an outcome. */
export type SagaPosition = SagaStep | 'compensating' | SagaOutcome;

/** The side effects, in the order the saga applies them, each with the compensation that undoes it. */
export const sagaActions = ['notify-approvers', 'reserve-jaeger', 'allocate-bay', 'allocate-parts', 'book-slot', 'execute'] as const;
export type SagaAction = (typeof sagaActions)[number];

export const compensationOf = {
  'notify-approvers': 'withdraw-approval',
  'reserve-jaeger': 'release-jaeger',
  'allocate-bay': 'release-bay',
  'allocate-parts': 'return-parts',
  'book-slot': 'cancel-slot',
  'execute': 'void-execution',
} as const satisfies Record<SagaAction, string>;
export type CompensationName = (typeof compensationOf)[SagaAction];
export const compensationNames = Object.values(compensationOf) as CompensationName[];

/** Where a fault can be injected (tests): the availability check or any side effect. */
export const faultPoints = ['availability', ...sagaActions] as const;
export type FaultPoint = (typeof faultPoints)[number];

/** ApplicationFailure types the saga's activities and handlers throw, so callers can match them. */
export const maintenanceErrors = {
  jaegerUnavailable: 'JaegerUnavailable',
  partsUnavailable: 'PartsUnavailable',
  noBayInWindow: 'NoBayInWindow',
  noSlotInWindow: 'NoSlotInWindow',
  injectedFault: 'InjectedFault',
  maintenanceFailed: 'MaintenanceFailed',
  compensationFailed: 'CompensationFailed',
  notAnApprover: 'NotAnApprover',
  selfApproval: 'SelfApproval',
  notAwaitingApproval: 'NotAwaitingApproval',
} as const;

/** Settings fixed when the saga starts, so a configuration change never alters a running saga's history. */
export interface MaintenanceSettings {
  approvalTimeoutSeconds: number;
  /**
   * While every bay of the shatterdome is full the saga waits for a `bayFreed` signal (sent to the oldest waiter
   * whenever a cradle frees up), and re-checks on its own this often in case a signal was lost.
   */
  bayRecheckSeconds: number;
  /** Attempts per compensation before the saga gives up on it and ends `compensation_failed`. */
  compensationMaxAttempts: number;
}

/** Deterministic failures for tests; honoured only where MAINTENANCE_ALLOW_FAULT_INJECTION=true. */
export interface MaintenanceFaults {
  /** This step's activity fails for good, right after its side effect committed (`execute`: midway through the work). */
  failAt?: FaultPoint;
  /** This compensation fails on every attempt. */
  failCompensation?: CompensationName;
}

export interface MaintenanceSagaInput {
  maintenanceId: string;
  jaegerId: string;
  type: MaintenanceType;
  requestedBy: string;
  /** ISO instants: the execution slot must lie inside. */
  windowStart: string;
  windowEnd: string;
  notes?: string;
  context: RequestContext;
  settings: MaintenanceSettings;
  faults?: MaintenanceFaults;
}

export type Decision = 'approved' | 'rejected';

export interface CompensationRun {
  name: CompensationName;
  /** `undone`: reverted; `nothing-to-undo`: the side effect never happened (it is now fenced off);
   * `settled`: the execution had already consumed it; `failed`: still failing after every attempt. */
  result: 'undone' | 'nothing-to-undo' | 'already-undone' | 'settled' | 'failed';
  error?: string;
}

export interface SagaFailure {
  step: SagaStep;
  type: string;
  message: string;
}

/** The `status` query's answer (and the approve/reject updates' result). */
export interface MaintenanceStatus {
  maintenanceId: string;
  jaegerId: string;
  type: MaintenanceType;
  requestedBy: string;
  position: SagaPosition;
  completedSteps: SagaStep[];
  /** Side effects applied so far, in order. */
  appliedActions: SagaAction[];
  compensationsRun: CompensationRun[];
  /** What waits for a person, if anything (e.g. an approval and its deadline). */
  awaiting: string | null;
  approvalDeadline: string | null;
  approver: string | null;
  decision: Decision | null;
  decisionReason: string | null;
  decidedAt: string | null;
  bayId: string | null;
  slot: { startsAt: string; endsAt: string } | null;
  outcome: SagaOutcome | null;
  failure: SagaFailure | null;
}

/** The workflow's result for a completed or rejected saga (failures end the workflow failed or cancelled). */
export type MaintenanceResult = MaintenanceStatus;

/** Who decides: the approver's id and roles, as authenticated by the API. */
export interface DecisionInput {
  approver: string;
  roles: Role[];
  reason?: string;
}

export const statusQuery = defineQuery<MaintenanceStatus>('status');
export const approveUpdate = defineUpdate<MaintenanceStatus, [DecisionInput]>('approve');
export const rejectUpdate = defineUpdate<MaintenanceStatus, [DecisionInput]>('reject');
/** Sent by whoever frees a bay cradle to the saga that has waited longest for one in that shatterdome. */
export const bayFreedSignal = defineSignal('bayFreed');

/** What every saga activity is told: which saga, for which jaeger, and any faults to inject. */
export interface SagaRef {
  maintenanceId: string;
  jaegerId: string;
  type: MaintenanceType;
  faults?: MaintenanceFaults;
}
