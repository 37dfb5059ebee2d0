/**
 * Re-drives dead letters exactly once per dead letter. The ledger topic (`health-data-replays`,
 * compacted, keyed by error id) records each replayed dead letter in the same Kafka transaction as its
 * re-published payload, so a replay killed mid-way left either both or neither, and a second replay
 * skips what the first did. Every replayer uses one transactional id: registering it (`init`) fences a
 * replay still running elsewhere and completes its open transaction, and only then is the ledger read.
 * An audit record (who, which selection, how many) goes to the ledger under `audit/<replayId>`.
 */
import { Buffer } from 'node:buffer'
import type { ErrorRecord, Micros } from '../domain/index.ts'
import type { ConsumedRecord, OutputRecord, TransactionalProducerPort } from '../kafka/index.ts'
import type { TopicNames } from '../topics.ts'
import { REPLAY_HEADER, replayHeader } from './marker.ts'
import { type ReplayRequest, type ReplaySelection, selects } from './selection.ts'
import { type ReplayEncoders, replayTarget } from './target.ts'

export interface ReplayPorts {
  readonly producer: TransactionalProducerPort
  /** Every committed record of a topic (read_committed, from the log start). */
  readTopic(topic: string): Promise<readonly ConsumedRecord[]>
  /** A dead letter from its Kafka value; null when it cannot be read (counted, not replayed). */
  decodeError(value: Buffer): Promise<ErrorRecord | null>
  readonly encoders: ReplayEncoders
  readonly topics: TopicNames
  /** The ledger topic. */
  readonly ledgerTopic: string
  /** Dead letters per transaction. */
  readonly chunkSize: number
  readonly now: () => Micros
  readonly newId: () => string
}

export interface ReplayReport {
  readonly replayId: string
  readonly by: string
  readonly selection: ReplaySelection
  readonly dryRun: boolean
  /** Dead letters the selection matched. */
  readonly selected: number
  /** Re-published now. */
  readonly replayed: number
  /** Matched, but a replay before this one re-published them already. */
  readonly alreadyReplayed: number
  /** Matched, but not replayable: count per reason. */
  readonly notReplayable: Readonly<Record<string, number>>
  /** Re-published records per input topic. */
  readonly topics: Readonly<Record<string, number>>
  /** Records on the errors topic that could not be read as dead letters. */
  readonly unreadable: number
}

/** A replay that stopped part-way; `replayed` were committed (and will be skipped by the next replay). */
export class ReplayError extends Error {
  readonly code = 'REPLAY_FAILED'
  readonly replayed: number
  constructor(message: string, replayed: number, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ReplayError'
    this.replayed = replayed
  }
}

export const AUDIT_KEY_PREFIX = 'audit/'

interface Planned {
  readonly error: ErrorRecord
  readonly record: OutputRecord
}

export async function replayDeadLetters(ports: ReplayPorts, request: ReplayRequest): Promise<ReplayReport> {
  const replayId = ports.newId()
  // Fence any other replayer before the ledger is read: its open transaction is completed first
  if (!request.dryRun) await ports.producer.init()
  const done = await replayedIds(ports)
  const { matched, unreadable } = await matchingDeadLetters(ports, request.selection)
  const notReplayable: Record<string, number> = {}
  const plan: Planned[] = []
  let alreadyReplayed = 0
  for (const error of matched) {
    if (done.has(error.errorId)) {
      alreadyReplayed++
      continue
    }
    const target = replayTarget(error, ports.topics, ports.encoders)
    if ('skip' in target) {
      notReplayable[target.skip] = (notReplayable[target.skip] ?? 0) + 1
      continue
    }
    const mark = replayHeader({ errorId: error.errorId, stage: error.stage, replayId })
    plan.push({ error, record: { ...target, headers: new Map([[REPLAY_HEADER, mark]]) } })
  }
  const topics: Record<string, number> = {}
  for (const p of plan) topics[p.record.topic] = (topics[p.record.topic] ?? 0) + 1
  const report: ReplayReport = {
    replayId,
    by: request.by,
    selection: request.selection,
    dryRun: request.dryRun,
    selected: matched.length,
    replayed: request.dryRun ? 0 : plan.length,
    alreadyReplayed,
    notReplayable,
    topics,
    unreadable,
  }
  if (request.dryRun) return report
  let replayed = 0
  for (let i = 0; i < plan.length; i += ports.chunkSize) {
    const chunk = plan.slice(i, i + ports.chunkSize)
    const ledger = chunk.map((p) => ledgerRecord(ports, p.error.errorId, { replayId, by: request.by }))
    await inTransaction(ports.producer, [...chunk.map((p) => p.record), ...ledger], replayed)
    replayed += chunk.length
  }
  const audit = { ...report, at: new Date(ports.now() / 1000).toISOString() }
  await inTransaction(
    ports.producer,
    [ledgerRecord(ports, `${AUDIT_KEY_PREFIX}${replayId}`, audit)],
    replayed,
  )
  return report
}

/** Error ids the ledger says were replayed (audit records aside). */
async function replayedIds(ports: ReplayPorts): Promise<Set<string>> {
  const ids = new Set<string>()
  for (const r of await ports.readTopic(ports.ledgerTopic)) {
    const key = r.key?.toString('utf8')
    if (key !== undefined && !key.startsWith(AUDIT_KEY_PREFIX) && r.value !== null) ids.add(key)
  }
  return ids
}

/** The selected dead letters, each error id once, in topic order. */
async function matchingDeadLetters(ports: ReplayPorts, selection: ReplaySelection) {
  const seen = new Set<string>()
  const matched: ErrorRecord[] = []
  let unreadable = 0
  for (const r of await ports.readTopic(ports.topics.errors)) {
    const error = r.value === null ? null : await ports.decodeError(r.value)
    if (error === null) {
      unreadable++
      continue
    }
    if (seen.has(error.errorId) || !selects(selection, error)) continue
    seen.add(error.errorId)
    matched.push(error)
  }
  return { matched, unreadable }
}

function ledgerRecord(ports: ReplayPorts, key: string, value: unknown): OutputRecord {
  return {
    topic: ports.ledgerTopic,
    key: Buffer.from(key, 'utf8'),
    value: Buffer.from(JSON.stringify(value), 'utf8'),
  }
}

async function inTransaction(
  producer: TransactionalProducerPort,
  records: readonly OutputRecord[],
  replayedBefore: number,
): Promise<void> {
  const transaction = await producer.begin()
  try {
    await transaction.send(records)
    await transaction.commit()
  } catch (cause) {
    await transaction.abort().catch(() => producer.reset().catch(() => undefined))
    throw new ReplayError(
      `replay stopped after ${replayedBefore} dead letters: ${(cause as Error).message}`,
      replayedBefore,
      { cause },
    )
  }
}
