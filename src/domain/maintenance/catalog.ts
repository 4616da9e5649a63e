/**
 * What each kind of maintenance needs: which jaegers qualify (integrity below a threshold), how long a bay
 * slot it takes, the parts it consumes from the shatterdome's depot, and the work it is made of.
 * Pure data: the API validates against it, activities allocate from it, the workflow sizes its waits by it.
 */
export const maintenanceTypeNames = ['inspection', 'repair', 'overhaul'] as const;
export type MaintenanceType = (typeof maintenanceTypeNames)[number];

export const partSkus = ['sensor-array', 'hull-plate', 'servo-actuator', 'neural-relay', 'coolant-cell'] as const;
export type PartSku = (typeof partSkus)[number];

export interface MaintenanceSpec {
  /** The jaeger qualifies only when its integrity is strictly below this (0–100). */
  integrityBelow: number;
  /** Length of the bay slot the work is scheduled in. */
  slotHours: number;
  /** Parts consumed, by SKU. */
  parts: Partial<Record<PartSku, number>>;
  /** The execution's tasks, in order; the execution activity heartbeats after each one. */
  tasks: string[];
}

export const maintenanceCatalog: Record<MaintenanceType, MaintenanceSpec> = {
  inspection: {
    integrityBelow: 100,
    slotHours: 2,
    parts: { 'sensor-array': 1 },
    tasks: ['diagnostics', 'sensor-array swap', 'calibration'],
  },
  repair: {
    integrityBelow: 75,
    slotHours: 8,
    parts: { 'hull-plate': 4, 'servo-actuator': 2 },
    tasks: ['diagnostics', 'hull plating', 'servo replacement', 'calibration'],
  },
  overhaul: {
    integrityBelow: 40,
    slotHours: 24,
    parts: { 'hull-plate': 12, 'servo-actuator': 6, 'neural-relay': 2, 'coolant-cell': 4 },
    tasks: ['diagnostics', 'hull plating', 'servo replacement', 'neural handshake relays', 'reactor coolant', 'drift test'],
  },
};

export const slotDurationMs = (type: MaintenanceType) => maintenanceCatalog[type].slotHours * 3600_000;

/** The parts of a type as sorted (sku, quantity) lines: a fixed order keeps concurrent row locks deadlock-free. */
export function partLines(type: MaintenanceType): { sku: PartSku; quantity: number }[] {
  return Object.entries(maintenanceCatalog[type].parts)
    .map(([sku, quantity]) => ({ sku: sku as PartSku, quantity: quantity ?? 0 }))
    .filter((line) => line.quantity > 0)
    .sort((a, b) => a.sku.localeCompare(b.sku));
}
