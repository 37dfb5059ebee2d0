/**
 * Which dead letters an operator asks to replay: by stage, reason, error time range or error id (all
 * given criteria must hold), and who asks. Parsed from the admin request's JSON body; a malformed
 * request is refused with every problem named, before anything is read or written.
 */
import type { ErrorRecord, Micros, Stage } from '../domain/index.ts'

const STAGES: readonly Stage[] = ['ingest', 'validator', 'aggregator', 'lake-writer']

export interface ReplaySelection {
  readonly stages?: readonly Stage[]
  readonly reasons?: readonly string[]
  /** Error time (µs since the epoch), inclusive. */
  readonly from?: Micros
  /** Error time (µs since the epoch), exclusive. */
  readonly to?: Micros
  readonly errorIds?: readonly string[]
}

export interface ReplayRequest {
  readonly selection: ReplaySelection
  /** Who asked, for the audit record (the CLI sends the operator's login). */
  readonly by: string
  /** Count what would be replayed, write nothing. */
  readonly dryRun: boolean
}

/** A replay request the service refuses; `problems` name each field. */
export class ReplayRequestError extends Error {
  readonly code = 'REPLAY_REQUEST_INVALID'
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid replay request: ${problems.join('; ')}`)
    this.name = 'ReplayRequestError'
    this.problems = problems
  }
}

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0)

function timeOf(name: string, value: unknown, problems: string[]): Micros | undefined {
  if (value === undefined) return undefined
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(ms)) problems.push(`${name} must be an ISO-8601 time, got ${JSON.stringify(value)}`)
  return ms * 1000
}

/**
 * The request from its JSON body: `{ stages?, reasons?, from?, to?, errorIds?, by, dryRun? }`. At least
 * one criterion is required, so an empty body never replays the whole dead-letter topic.
 */
export function parseReplayRequest(body: unknown): ReplayRequest {
  const problems: string[] = []
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const known = new Set(['stages', 'reasons', 'from', 'to', 'errorIds', 'by', 'dryRun'])
  for (const key of Object.keys(b)) if (!known.has(key)) problems.push(`unknown field ${JSON.stringify(key)}`)
  const selection: { -readonly [K in keyof ReplaySelection]: ReplaySelection[K] } = {}
  if (b.stages !== undefined) {
    if (!isStringList(b.stages) || b.stages.some((s) => !STAGES.includes(s as Stage)))
      problems.push(`stages must be a non-empty list of ${STAGES.join(', ')}`)
    else selection.stages = b.stages as Stage[]
  }
  for (const key of ['reasons', 'errorIds'] as const) {
    if (b[key] === undefined) continue
    if (!isStringList(b[key])) problems.push(`${key} must be a non-empty list of strings`)
    else selection[key] = b[key]
  }
  const from = timeOf('from', b.from, problems)
  const to = timeOf('to', b.to, problems)
  if (from !== undefined) selection.from = from
  if (to !== undefined) selection.to = to
  if (from !== undefined && to !== undefined && from >= to) problems.push('from must be before to')
  if (Object.keys(selection).length === 0 && problems.length === 0)
    problems.push('select by at least one of stages, reasons, from, to, errorIds')
  if (typeof b.by !== 'string' || b.by.trim() === '') problems.push('by (who asks) is required')
  if (b.dryRun !== undefined && typeof b.dryRun !== 'boolean') problems.push('dryRun must be true or false')
  if (problems.length > 0) throw new ReplayRequestError(problems)
  return { selection, by: (b.by as string).trim(), dryRun: b.dryRun === true }
}

/** Whether the dead letter is one the selection asks for. */
export function selects(selection: ReplaySelection, error: ErrorRecord): boolean {
  if (selection.stages && !selection.stages.includes(error.stage)) return false
  if (selection.reasons && !selection.reasons.includes(error.reasonCode)) return false
  if (selection.errorIds && !selection.errorIds.includes(error.errorId)) return false
  if (selection.from !== undefined && error.errorTime < selection.from) return false
  if (selection.to !== undefined && error.errorTime >= selection.to) return false
  return true
}
