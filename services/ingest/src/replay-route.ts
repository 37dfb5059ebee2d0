/**
 * `POST /admin/replay` (under the admin token): re-drives the dead letters a JSON selection names, once
 * each (see @healthstream/shared/replay). One replay at a time per instance (409 while one runs); the
 * replayer's Kafka clients are made on the first replay and kept. Each replay is logged with its report.
 */
import { adminJobRoute, type Logger } from '@healthstream/shared/platform'
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
  const routes = (app: Hono) =>
    adminJobRoute(app, {
      path: '/admin/replay',
      parse: (body) => {
        if (typeof body !== 'object' || body === null)
          throw new ReplayRequestError(['the body must be a JSON object'])
        return parseReplayRequest(body)
      },
      refused: (error) => error instanceof ReplayRequestError,
      busy: 'a replay is running on this instance; try again when it ends',
      run: async (request) => {
        opened ??= openPorts().catch((error: unknown) => {
          opened = undefined
          throw error
        })
        const report = await replayDeadLetters((await opened).ports, request)
        logger.info(
          { replay: report },
          request.dryRun ? 'dead-letter replay counted (dry run)' : 'dead letters replayed',
        )
        return report
      },
      failed: (request, error) => {
        logger.error(
          { err: error, by: request.by, selection: request.selection },
          'dead-letter replay failed',
        )
        const replayed = error instanceof ReplayError ? error.replayed : 0
        return { error: (error as Error).message, replayed }
      },
    })
  const close = async () => {
    const ports = await opened?.catch(() => undefined)
    await ports?.close()
  }
  return { routes, close }
}
