/**
 * `POST /admin/replay` (under the admin token): re-drives the dead letters a JSON selection names, once
 * each (see @healthstream/shared/replay). One replay at a time per instance (409 while one runs); the
 * replayer's Kafka clients are made on the first replay and kept. Each replay is logged with its report.
 */
import type { Logger } from '@healthstream/shared/platform'
import {
  parseReplayRequest,
  ReplayError,
  type ReplayPorts,
  ReplayRequestError,
  replayDeadLetters,
} from '@healthstream/shared/replay'
import type { Hono } from 'hono'

export interface ReplayRoute {
  readonly routes: (app: Hono) => void
  readonly close: () => Promise<void>
}

export function replayRoute(
  openPorts: () => Promise<{ ports: ReplayPorts; close: () => Promise<void> }>,
  logger: Logger,
): ReplayRoute {
  let opened: Promise<{ ports: ReplayPorts; close: () => Promise<void> }> | undefined
  let running = false
  const routes = (app: Hono) => {
    app.post('/admin/replay', async (c) => {
      let request: ReturnType<typeof parseReplayRequest>
      try {
        request = parseReplayRequest(await c.req.json())
      } catch (error) {
        if (error instanceof ReplayRequestError)
          return c.json({ error: error.message, problems: error.problems }, 400)
        return c.json({ error: 'the body must be a JSON object' }, 400)
      }
      if (running)
        return c.json({ error: 'a replay is running on this instance; try again when it ends' }, 409)
      running = true
      try {
        opened ??= openPorts().catch((error: unknown) => {
          opened = undefined
          throw error
        })
        const report = await replayDeadLetters((await opened).ports, request)
        logger.info(
          { replay: report },
          request.dryRun ? 'dead-letter replay counted (dry run)' : 'dead letters replayed',
        )
        return c.json(report)
      } catch (error) {
        logger.error(
          { err: error, by: request.by, selection: request.selection },
          'dead-letter replay failed',
        )
        const replayed = error instanceof ReplayError ? error.replayed : 0
        return c.json({ error: (error as Error).message, replayed }, 500)
      } finally {
        running = false
      }
    })
  }
  const close = async () => {
    const ports = await opened?.catch(() => undefined)
    await ports?.close()
  }
  return { routes, close }
}
