/**
 * Finding a slot: the earliest start inside the requested window at which the bay still has a free cradle for
 * the whole duration. Pure, so the booking activity can run it under the bay's row lock and tests can run it alone.
 */
export interface BookedSlot {
  startsAt: number;
  endsAt: number;
}

export interface SlotRequest {
  /** Epoch ms: the window the requester asked for. */
  windowStart: number;
  windowEnd: number;
  /** Epoch ms: no earlier than this (the saga's "now"). */
  notBefore: number;
  durationMs: number;
  /** How many slots the bay can run at once (its cradles). */
  capacity: number;
}

/** Most slots running at the same moment within [from, to). */
function peakOverlap(slots: BookedSlot[], from: number, to: number): number {
  const overlapping = slots.filter((slot) => slot.startsAt < to && slot.endsAt > from);
  // The peak is reached at `from` or at one of the overlapping slots' starts.
  const instants = [from, ...overlapping.map((slot) => slot.startsAt).filter((start) => start > from)];
  return Math.max(0, ...instants.map((at) => overlapping.filter((slot) => slot.startsAt <= at && slot.endsAt > at).length));
}

/** The earliest fitting start (epoch ms), or null when none fits in the window. */
export function findSlot(request: SlotRequest, booked: BookedSlot[]): { startsAt: number; endsAt: number } | null {
  if (request.capacity <= 0) return null;
  const earliest = Math.max(request.windowStart, request.notBefore);
  // A slot starts either as early as allowed or right when another slot ends.
  const candidates = [earliest, ...booked.map((slot) => slot.endsAt).filter((end) => end > earliest)].sort((a, b) => a - b);
  for (const start of candidates) {
    const end = start + request.durationMs;
    if (end > request.windowEnd) return null;
    if (peakOverlap(booked, start, end) < request.capacity) return { startsAt: start, endsAt: end };
  }
  return null;
}
