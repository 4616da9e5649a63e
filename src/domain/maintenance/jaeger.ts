/** Jaegers as the maintenance saga sees them, and the rule for whether one can go into maintenance. */
import { z } from 'zod';
import { maintenanceCatalog, type MaintenanceType } from './catalog';

export const jaegerStatuses = ['active', 'deployed', 'maintenance', 'retired'] as const;
export type JaegerStatus = (typeof jaegerStatuses)[number];

/** Slugs like `gipsy-danger`: they become part of a workflow id (`maintenance-<jaeger_id>`). */
export const jaegerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63 characters');

export interface Jaeger {
  jaegerId: string;
  name: string;
  mark: number;
  shatterdome: string;
  status: JaegerStatus;
  integrity: number;
  lastMaintainedAt: string | null;
}

export type Availability =
  | { available: true }
  | { available: false; reason: 'unknown-jaeger' | 'deployed' | 'retired' | 'in-maintenance' | 'integrity-too-high'; detail: string };

/**
 * A jaeger can go into maintenance of a type when it exists, is not deployed, retired or already in
 * maintenance, and its integrity is below the type's threshold (a 90 % jaeger does not need an overhaul).
 */
export function checkAvailability(jaeger: Jaeger | undefined, type: MaintenanceType, jaegerId: string): Availability {
  if (!jaeger) return { available: false, reason: 'unknown-jaeger', detail: `no jaeger ${jaegerId}` };
  if (jaeger.status === 'deployed') return { available: false, reason: 'deployed', detail: `${jaeger.jaegerId} is deployed` };
  if (jaeger.status === 'retired') return { available: false, reason: 'retired', detail: `${jaeger.jaegerId} is retired` };
  if (jaeger.status === 'maintenance') {
    return { available: false, reason: 'in-maintenance', detail: `${jaeger.jaegerId} is already in maintenance` };
  }
  const threshold = maintenanceCatalog[type].integrityBelow;
  if (jaeger.integrity >= threshold) {
    return {
      available: false,
      reason: 'integrity-too-high',
      detail: `${jaeger.jaegerId} has integrity ${jaeger.integrity}; ${type} is for integrity below ${threshold}`,
    };
  }
  return { available: true };
}
