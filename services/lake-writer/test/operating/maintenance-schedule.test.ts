import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SummaryKeys } from '../../src/committing/offsets.ts'
import type { TableSink } from '../../src/committing/table-sink.ts'
import { TableNames } from '../../src/committing/tables.ts'
import { rawRow } from '../../src/consuming/rows.ts'
import { type MaintenanceEvent, MaintenanceSchedule } from '../../src/operating/maintenance-schedule.ts'
import { TableMaintenance } from '../../src/operating/table-maintenance.ts'
import { memoryWriter, tableRows } from '../support/memory.ts'
import { validatedSample } from '../support/records.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A writer over a memory lake whose raw table holds three commits of small files. */
async function writerWithHistory() {
  const { broker, encode, lake, loop, maintenance } = await memoryWriter()
  const done = loop.run()
  for (let round = 0; round < 3; round++) {
    broker.append(
      Array.from({ length: 10 }, (_, i) =>
        encode('validated', validatedSample(round * 10 + i, 7, 60_000_000)),
      ),
    )
    await sleep(150)
    await loop.flush()
  }
  const stop = async () => {
    await loop.stop()
    await done
  }
  return { lake, loop, maintenance, stop }
}

/** A table whose actions answer at once, `failing` ones with an error, and count their calls. */
function fakeSink(name: string, failing: readonly string[] = []) {
  const calls: string[] = []
  const act = (action: string, result: unknown) => async () => {
    calls.push(action)
    if (failing.includes(action)) throw new Error(`${action} failed`)
    return result
  }
  const table = {
    refresh: async () => table,
    expireSnapshots: act('expire-snapshots', { expired: [], deletedFiles: [] }),
    removeOrphanFiles: act('remove-orphan-files', []),
  }
  return { sink: { def: { name }, table } as unknown as TableSink, calls }
}

function fakeMaintenance(
  sinks: readonly TableSink[],
  exclusive = <T>(fn: () => Promise<T>) => fn(),
): TableMaintenance {
  return new TableMaintenance(sinks, {
    exclusive,
    writer: 'w',
    compactTargetBytes: 1 << 20,
    expireOlderThanMs: 0,
    expireRetainLast: 1,
  })
}

describe('scheduled maintenance', () => {
  it('expires the snapshots of every table on the leading writer and cleans it, keeping the rows and the offsets', async () => {
    const { lake, maintenance, stop } = await writerWithHistory()
    try {
      const before = (await tableRows(lake, TableNames.raw)).map((r) => r.sample_id).sort()
      let leads = false
      const schedule = new MaintenanceSchedule(maintenance, { intervalMs: 0, leads: () => leads })
      assert.equal(schedule.round(), undefined, 'a writer that does not lead does nothing')
      const untouched = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
      assert.equal(untouched.metadata.snapshots.length, 3)

      leads = true
      const results = await schedule.round()!
      const raw = results.filter((r) => r.table === TableNames.raw)
      assert.deepEqual(
        raw.map((r) => r.action),
        ['expire-snapshots', 'remove-orphan-files'],
      )
      assert.equal((raw[0]!.expired as string[]).length, 2)
      assert.equal(results.length, 2 * maintenance.sinks.length, 'every action on every table')
      assert.deepEqual((await tableRows(lake, TableNames.raw)).map((r) => r.sample_id).sort(), before)
      const table = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
      assert.equal(table.metadata.snapshots.length, 1, 'the last commit kept')
      assert.match(table.metadata.snapshots.at(-1)!.summary[SummaryKeys.offsets]!, /"0":\d+/)
    } finally {
      await stop()
    }
  })

  it("keeps the snapshot holding the offsets when other tools' snapshots (which carry none) came after it", async () => {
    const { lake, maintenance, stop } = await writerWithHistory()
    try {
      const raw = maintenance.sinks.find((s) => s.def.name === TableNames.raw)!
      const recorded = (await raw.refresh()).offsets
      assert.ok(recorded.size > 0)
      // five appends by another tool (pyiceberg, Spark): no offsets in their summaries
      for (let i = 0; i < 5; i++)
        await raw.table.append([rawRow(validatedSample(100 + i), { partition: 0, offset: 0n })])
      const schedule = new MaintenanceSchedule(maintenance, { intervalMs: 0, leads: () => true })
      await schedule.round()
      assert.deepEqual((await raw.refresh()).offsets, recorded, 'the offsets survive expiry')
      const table = await lake.catalog.loadTable({ namespace: ['health'], name: TableNames.raw })
      assert.equal(table.metadata.snapshots.length, 6, "the writer's last commit and the five after it")
    } finally {
      await stop()
    }
  })

  it('reports a failed action and goes on with the others', async () => {
    const a = fakeSink('a', ['expire-snapshots'])
    const b = fakeSink('b')
    const events: MaintenanceEvent[] = []
    const schedule = new MaintenanceSchedule(fakeMaintenance([a.sink, b.sink]), {
      intervalMs: 0,
      leads: () => true,
      onEvent: (e) => events.push(e),
    })
    const results = await schedule.round()!
    assert.deepEqual(a.calls, ['expire-snapshots', 'remove-orphan-files'])
    assert.deepEqual(b.calls, ['expire-snapshots', 'remove-orphan-files'])
    assert.equal(results.length, 3)
    const failed = events.filter((e) => e.type === 'maintenance-failed')
    assert.deepEqual(
      failed.map((e) => [e.table, e.action]),
      [['a', 'expire-snapshots']],
    )
    assert.equal(events.at(-1)?.type, 'maintained')
  })

  it('runs every interval, one round at a time, never when the interval is 0, and stop ends a round after its action', async () => {
    let release: () => void = () => undefined
    let entered = 0
    const slow = <T>(fn: () => Promise<T>) => {
      entered++
      return new Promise<void>((r) => {
        release = r
      }).then(fn)
    }
    const { sink } = fakeSink('a')
    const schedule = new MaintenanceSchedule(fakeMaintenance([sink], slow), {
      intervalMs: 20,
      leads: () => true,
    })
    schedule.start()
    await sleep(100)
    assert.equal(entered, 1, 'the next ticks found the round still running')
    let stopped = false
    const stopping = schedule.stop().then(() => {
      stopped = true
    })
    await sleep(20)
    assert.equal(stopped, false, 'stop waits for the running round')
    release()
    await stopping
    assert.equal(entered, 1, 'the round ended after the action it was in, not after every table')
    await sleep(60)
    assert.equal(entered, 1, 'no round after stop')

    let rounds = 0
    const off = new MaintenanceSchedule(fakeMaintenance([sink]), {
      intervalMs: 0,
      leads: () => {
        rounds++
        return true
      },
    })
    off.start()
    await sleep(50)
    assert.equal(rounds, 0)
    await off.stop()
  })
})
