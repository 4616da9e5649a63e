/**
 * Deterministic fault injection for the saga's tests (docs/maintenance.md): the saga's input names a step or a
 * compensation to fail; the worker honours it only when MAINTENANCE_ALLOW_FAULT_INJECTION=true.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { maintenanceErrors, type CompensationName, type FaultPoint, type MaintenanceFaults } from '../../domain/maintenance/saga';

export interface FaultGate {
  /** Throws a non-retryable failure when the saga asked this point to fail. */
  failIfAsked(point: FaultPoint, faults: MaintenanceFaults | undefined): void;
  /** Throws a retryable failure (every attempt) when the saga asked this compensation to fail. */
  failCompensationIfAsked(name: CompensationName, faults: MaintenanceFaults | undefined): void;
}

export function faultGate(allowed: boolean): FaultGate {
  const enabled = (faults: MaintenanceFaults | undefined) => {
    if (!faults || (!faults.failAt && !faults.failCompensation)) return false;
    if (!allowed) {
      Context.current().log.warn('fault injection requested but MAINTENANCE_ALLOW_FAULT_INJECTION is off; ignored');
      return false;
    }
    return true;
  };
  return {
    failIfAsked(point, faults) {
      if (enabled(faults) && faults!.failAt === point) {
        throw ApplicationFailure.nonRetryable(`injected fault at ${point}`, maintenanceErrors.injectedFault);
      }
    },
    failCompensationIfAsked(name, faults) {
      if (enabled(faults) && faults!.failCompensation === name) {
        throw ApplicationFailure.retryable(`injected fault in compensation ${name}`, maintenanceErrors.injectedFault);
      }
    },
  };
}
