/**
 * Runs the containers' HEALTHCHECKs through podman's API on the schedule of health-schedule.ts, so
 * health states change as they would under Docker. Runs in the background beside the API service
 * (`main.ts health-driver`); stops with it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { apiJson } from './api-client.ts'
import { type CheckedContainer, dueChecks } from './health-schedule.ts'

const LIBPOD = '/v4.0.0/libpod'
const HEALTH_FILTER = encodeURIComponent(JSON.stringify({ health: ['starting', 'healthy', 'unhealthy'] }))

interface ListedContainer {
  readonly Id: string
}

interface InspectedContainer {
  readonly State: { readonly StartedAt: string; readonly Health?: { readonly Status?: string } }
  readonly Config: { readonly Healthcheck?: { readonly Interval?: number } }
}

type Status = CheckedContainer['status']

const asStatus = (value: string | undefined): Status =>
  value === 'healthy' || value === 'unhealthy' ? value : 'starting'

/** Reads what the schedule needs about one container (interval in ns from the API). */
async function describe(socketPath: string, id: string): Promise<CheckedContainer> {
  const c = await apiJson<InspectedContainer>(socketPath, 'GET', `${LIBPOD}/containers/${id}/json`)
  return {
    id,
    startedAtMs: Date.parse(c.State.StartedAt),
    intervalMs: Math.round((c.Config.Healthcheck?.Interval ?? 0) / 1e6),
    status: asStatus(c.State.Health?.Status),
  }
}

/** Checks until `signal` aborts; errors (the socket restarting, a container gone) are retried quietly. */
export async function runHealthDriver(socketPath: string, signal: AbortSignal, tickMs = 500): Promise<void> {
  const known = new Map<string, CheckedContainer>()
  const lastRun = new Map<string, number>()
  const inFlight = new Set<string>()
  while (!signal.aborted) {
    try {
      const listed = await apiJson<ListedContainer[]>(
        socketPath,
        'GET',
        `${LIBPOD}/containers/json?filters=${HEALTH_FILTER}`,
      )
      const ids = new Set(listed.map((c) => c.Id))
      for (const id of known.keys()) {
        if (ids.has(id)) continue
        known.delete(id)
        lastRun.delete(id)
      }
      for (const id of ids) if (!known.has(id)) known.set(id, await describe(socketPath, id))
      for (const id of dueChecks([...known.values()], lastRun, Date.now())) {
        if (inFlight.has(id)) continue
        inFlight.add(id)
        lastRun.set(id, Date.now())
        apiJson<{ Status?: string }>(socketPath, 'GET', `${LIBPOD}/containers/${id}/healthcheck`)
          .then((result) => {
            const entry = known.get(id)
            if (entry) known.set(id, { ...entry, status: asStatus(result.Status) })
          })
          .catch(() => undefined) // stopped meanwhile; the next listing forgets it
          .finally(() => inFlight.delete(id))
      }
    } catch {
      // API not answering right now
    }
    await sleep(tickMs, undefined, { signal }).catch(() => undefined)
  }
}
