/**
 * Applying table updates to metadata as pure functions, with the reference implementation's rules
 * (id reuse for equal schemas/specs, `-1` = last added, main-branch snapshot log, ...).
 */
import { CommitConflictError, IcebergError } from '../errors.ts'
import { highestFieldId, validateSchema } from './schema.ts'
import type {
  PartitionSpec,
  Schema,
  SnapshotLogEntry,
  SnapshotRef,
  SortOrder,
  TableMetadata,
} from './types.ts'
import type { TableRequirement, TableUpdate } from './updates.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

interface Ctx {
  m: Mutable<TableMetadata>
  lastAddedSchemaId?: number
  lastAddedSpecId?: number
  lastAddedOrderId?: number
  addedSnapshots: Set<bigint>
  nowMs: number
}

const same = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe)
const bigintSafe = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v)

function bad(message: string): IcebergError {
  return new IcebergError('INVALID_ARGUMENT', message)
}

function addSchema(ctx: Ctx, schema: Schema, lastColumnId?: number): void {
  validateSchema(schema)
  const existing = ctx.m.schemas.find(
    (s) => same(s.fields, schema.fields) && same(s.identifierFieldIds ?? [], schema.identifierFieldIds ?? []),
  )
  const id = existing?.schemaId ?? Math.max(-1, ...ctx.m.schemas.map((s) => s.schemaId)) + 1
  if (!existing) ctx.m.schemas = [...ctx.m.schemas, { ...schema, schemaId: id }]
  ctx.m.lastColumnId = Math.max(ctx.m.lastColumnId, lastColumnId ?? 0, highestFieldId(schema.fields))
  ctx.lastAddedSchemaId = id
}

function addSpec(ctx: Ctx, spec: PartitionSpec): void {
  const existing = ctx.m.partitionSpecs.find((s) => same(s.fields, spec.fields))
  const id = existing?.specId ?? Math.max(-1, ...ctx.m.partitionSpecs.map((s) => s.specId)) + 1
  if (!existing) ctx.m.partitionSpecs = [...ctx.m.partitionSpecs, { ...spec, specId: id }]
  ctx.m.lastPartitionId = Math.max(ctx.m.lastPartitionId, ...spec.fields.map((f) => f.fieldId))
  ctx.lastAddedSpecId = id
}

function addSortOrder(ctx: Ctx, order: SortOrder): void {
  const existing = ctx.m.sortOrders.find((o) => same(o.fields, order.fields))
  const id =
    existing?.orderId ??
    (order.fields.length === 0 ? 0 : Math.max(0, ...ctx.m.sortOrders.map((o) => o.orderId)) + 1)
  if (!existing) ctx.m.sortOrders = [...ctx.m.sortOrders, { ...order, orderId: id }]
  ctx.lastAddedOrderId = id
}

function lastAdded(id: number, added: number | undefined, what: string): number {
  if (id !== -1) return id
  if (added === undefined) throw bad(`cannot use -1 for the last added ${what}: none was added`)
  return added
}

function setRef(ctx: Ctx, name: string, ref: SnapshotRef): void {
  const snapshot = ctx.m.snapshots.find((s) => s.snapshotId === ref.snapshotId)
  if (!snapshot) throw bad(`cannot set ref ${name} to unknown snapshot ${ref.snapshotId}`)
  ctx.m.refs = { ...ctx.m.refs, [name]: ref }
  if (name !== 'main') return
  ctx.m.currentSnapshotId = ref.snapshotId
  const at = ctx.addedSnapshots.has(ref.snapshotId) ? snapshot.timestampMs : ctx.nowMs
  ctx.m.snapshotLog = [...ctx.m.snapshotLog, { timestampMs: at, snapshotId: ref.snapshotId }]
}

function removeSnapshots(ctx: Ctx, ids: ReadonlySet<bigint>): void {
  ctx.m.snapshots = ctx.m.snapshots.filter((s) => !ids.has(s.snapshotId))
  ctx.m.refs = Object.fromEntries(Object.entries(ctx.m.refs).filter(([, r]) => !ids.has(r.snapshotId)))
  if (ctx.m.currentSnapshotId !== null && ids.has(ctx.m.currentSnapshotId)) ctx.m.currentSnapshotId = null
  ctx.m.snapshotLog = trimSnapshotLog(ctx.m.snapshotLog, new Set(ctx.m.snapshots.map((s) => s.snapshotId)))
}

/** Drops every log entry up to and including the last one whose snapshot is gone (spec rule). */
function trimSnapshotLog(log: readonly SnapshotLogEntry[], live: ReadonlySet<bigint>): SnapshotLogEntry[] {
  let cut = -1
  log.forEach((e, i) => {
    if (!live.has(e.snapshotId)) cut = i
  })
  return log.slice(cut + 1)
}

function applyOne(ctx: Ctx, u: TableUpdate): void {
  const m = ctx.m
  switch (u.action) {
    case 'assign-uuid':
      if (m.tableUuid && m.tableUuid !== u.uuid) throw bad('cannot reassign the table uuid')
      m.tableUuid = u.uuid
      return
    case 'upgrade-format-version':
      if (u.formatVersion !== 2)
        throw new IcebergError('UNSUPPORTED', `format version ${u.formatVersion} is not supported`)
      return
    case 'add-schema':
      addSchema(ctx, u.schema, u.lastColumnId)
      return
    case 'set-current-schema':
      m.currentSchemaId = lastAdded(u.schemaId, ctx.lastAddedSchemaId, 'schema')
      if (!m.schemas.some((s) => s.schemaId === m.currentSchemaId)) throw bad(`unknown schema ${u.schemaId}`)
      return
    case 'add-spec':
      addSpec(ctx, u.spec)
      return
    case 'set-default-spec':
      m.defaultSpecId = lastAdded(u.specId, ctx.lastAddedSpecId, 'spec')
      if (!m.partitionSpecs.some((s) => s.specId === m.defaultSpecId)) throw bad(`unknown spec ${u.specId}`)
      return
    case 'add-sort-order':
      addSortOrder(ctx, u.sortOrder)
      return
    case 'set-default-sort-order':
      m.defaultSortOrderId = lastAdded(u.sortOrderId, ctx.lastAddedOrderId, 'sort order')
      return
    case 'add-snapshot': {
      const s = u.snapshot
      if (m.snapshots.some((x) => x.snapshotId === s.snapshotId))
        throw bad(`snapshot ${s.snapshotId} already exists`)
      if (s.sequenceNumber <= m.lastSequenceNumber && s.parentSnapshotId !== undefined) {
        throw new CommitConflictError(
          `snapshot sequence number ${s.sequenceNumber} is not above ${m.lastSequenceNumber}`,
        )
      }
      m.snapshots = [...m.snapshots, s]
      m.lastSequenceNumber = Math.max(m.lastSequenceNumber, s.sequenceNumber)
      ctx.addedSnapshots.add(s.snapshotId)
      return
    }
    case 'set-snapshot-ref': {
      const { action: _a, refName, ...ref } = u
      setRef(ctx, refName, ref)
      return
    }
    case 'remove-snapshots':
      removeSnapshots(ctx, new Set(u.snapshotIds))
      return
    case 'remove-snapshot-ref': {
      const { [u.refName]: _gone, ...rest } = m.refs
      m.refs = rest
      if (u.refName === 'main') m.currentSnapshotId = null
      return
    }
    case 'set-location':
      m.location = u.location.replace(/\/+$/, '')
      return
    case 'set-properties':
      m.properties = { ...m.properties, ...u.updates }
      return
    case 'remove-properties':
      m.properties = Object.fromEntries(Object.entries(m.properties).filter(([k]) => !u.removals.includes(k)))
      return
  }
}

/** Applies updates in order and returns the new metadata (the input is not changed). */
export function applyUpdates(
  base: TableMetadata,
  updates: readonly TableUpdate[],
  nowMs = Date.now(),
): TableMetadata {
  const ctx: Ctx = { m: { ...base }, addedSnapshots: new Set(), nowMs }
  for (const u of updates) applyOne(ctx, u)
  if (updates.length > 0) ctx.m.lastUpdatedMs = Math.max(nowMs, base.lastUpdatedMs)
  return ctx.m
}

/** Checks requirements against the current metadata (`undefined` when the table does not exist). */
export function checkRequirements(
  current: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  for (const r of requirements) {
    const failed = requirementFailure(current, r)
    if (failed) throw new CommitConflictError(`requirement ${r.type} failed: ${failed}`)
  }
}

function requirementFailure(m: TableMetadata | undefined, r: TableRequirement): string | undefined {
  if (r.type === 'assert-create') return m ? 'table already exists' : undefined
  if (!m) return 'table does not exist'
  switch (r.type) {
    case 'assert-table-uuid':
      return m.tableUuid === r.uuid ? undefined : `uuid is ${m.tableUuid}`
    case 'assert-ref-snapshot-id': {
      const actual = m.refs[r.ref]?.snapshotId ?? null
      return actual === r.snapshotId
        ? undefined
        : `ref ${r.ref} is at ${actual ?? 'nothing'}, expected ${r.snapshotId ?? 'nothing'}`
    }
    case 'assert-last-assigned-field-id':
      return m.lastColumnId === r.lastAssignedFieldId ? undefined : `last column id is ${m.lastColumnId}`
    case 'assert-current-schema-id':
      return m.currentSchemaId === r.currentSchemaId ? undefined : `current schema is ${m.currentSchemaId}`
    case 'assert-last-assigned-partition-id':
      return m.lastPartitionId === r.lastAssignedPartitionId
        ? undefined
        : `last partition id is ${m.lastPartitionId}`
    case 'assert-default-spec-id':
      return m.defaultSpecId === r.defaultSpecId ? undefined : `default spec is ${m.defaultSpecId}`
    case 'assert-default-sort-order-id':
      return m.defaultSortOrderId === r.defaultSortOrderId
        ? undefined
        : `default sort order is ${m.defaultSortOrderId}`
  }
}

/** Records the previous metadata file in the log, keeping `write.metadata.previous-versions-max` (100). */
export function withMetadataLog(
  next: TableMetadata,
  previous: TableMetadata,
  previousLocation: string,
): TableMetadata {
  const max = Number(next.properties['write.metadata.previous-versions-max'] ?? 100)
  const log = [...next.metadataLog, { timestampMs: previous.lastUpdatedMs, metadataFile: previousLocation }]
  return { ...next, metadataLog: log.slice(Math.max(0, log.length - max)) }
}
