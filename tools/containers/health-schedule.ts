/**
 * When each container's HEALTHCHECK is due. Podman 4.3 runs health checks from systemd timers; this
 * machine has no systemd, so nothing runs them and a container stays "starting" for ever (compose's
 * `condition: service_healthy` then waits for ever). The driver (health-driver.ts) runs them on the
 * schedule Docker uses: the first check one interval after start, then one every interval. Pure.
 */

/** Docker's default interval when a HEALTHCHECK gives none. */
export const DEFAULT_INTERVAL_MS = 30_000

/** A running container with a health check, as the driver sees it. */
export interface CheckedContainer {
  readonly id: string
  /** Start time, ms since the epoch. */
  readonly startedAtMs: number
  /** HEALTHCHECK --interval in ms (0: the default). */
  readonly intervalMs: number
  /** HEALTHCHECK --start-interval in ms while the status is `starting` (0: use the interval). */
  readonly startIntervalMs?: number
  readonly status: 'starting' | 'healthy' | 'unhealthy'
}

/** Ms between checks of `container` in its current state. */
export function periodMs(container: CheckedContainer): number {
  const interval = container.intervalMs > 0 ? container.intervalMs : DEFAULT_INTERVAL_MS
  const startInterval = container.startIntervalMs ?? 0
  return container.status === 'starting' && startInterval > 0 ? startInterval : interval
}

/**
 * Ids of the containers whose check is due at `nowMs`, given when each was last checked
 * (`lastRunMs`; absent: never, so due one period after start).
 */
export function dueChecks(
  containers: readonly CheckedContainer[],
  lastRunMs: ReadonlyMap<string, number>,
  nowMs: number,
): string[] {
  return containers
    .filter((c) => nowMs >= (lastRunMs.get(c.id) ?? c.startedAtMs) + periodMs(c))
    .map((c) => c.id)
}
