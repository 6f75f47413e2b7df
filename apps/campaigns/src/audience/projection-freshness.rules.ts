/** One partition of the projection's topic: its offsets as the broker and as the projection's group see them. */
export interface PartitionPosition {
  /** The oldest offset still held. */
  low: string;
  /** The next offset to be written, taken after the moment in question. */
  high: string;
  /** The group's committed offset (the next one it will read), '-1' when it has committed none. */
  committed: string;
}

/**
 * Whether a consumer group has read every partition up to the given ends. A partition the group has never
 * committed on is read up to its end only if it holds nothing (a new group starts at the oldest event).
 */
export function projectionCaughtUp(positions: readonly PartitionPosition[]): boolean {
  return positions.every(({ low, high, committed }) =>
    Number(committed) < 0 ? BigInt(high) <= BigInt(low) : BigInt(committed) >= BigInt(high),
  );
}
