import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ChaosOptionError,
  DST_ZONES,
  FULL,
  parseChaosOptions,
  SHORT,
  SHORT_USER_ZONES,
  USER_ZONES,
} from '../options.ts'
import { planFaults, SERVICES } from '../schedule.ts'

describe('the chaos fault plan', () => {
  it('kills at least 30 times over all four services while a million samples are sent', () => {
    const plan = planFaults(FULL)
    assert.equal(plan.sendMs, 200_000)
    assert.ok(plan.kills.length >= 30, `${plan.kills.length} kills`)
    assert.deepEqual(new Set(plan.kills.map((k) => k.service)), new Set(SERVICES))
    assert.deepEqual(
      plan.kills.map((k) => k.atMs),
      plan.kills.map((_, i) => (i + 1) * FULL.killEveryMs),
    )
  })

  it('restarts the broker twice and Redis once, and stops the lake (S3 and catalog) for a minute, one fault at a time', () => {
    const { servers } = planFaults(FULL)
    assert.deepEqual(
      servers.map((f) => `${f.server} ${f.kind} ${f.forMs}`),
      ['kafka restart 0', 'redis restart 0', 'kafka restart 0', 'lake outage 60000'],
    )
    const times = servers.map((f) => f.atMs)
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    )
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    assert.ok(Math.min(...gaps) >= 30_000, `faults ${gaps} ms apart`)
  })

  it('keeps the minimum of kills when the simulator finishes sooner', () => {
    const plan = planFaults({ ...SHORT, samples: 1_000, rate: 1_000 })
    assert.equal(plan.kills.length, SHORT.minKills)
    assert.ok(plan.servers.every((f) => f.atMs < SHORT.minKills * SHORT.killEveryMs))
  })

  it('is the same plan for the same seed, another for another seed', () => {
    const names = (seed: number) =>
      planFaults({ ...FULL, seed })
        .kills.map((k) => k.service)
        .join()
    assert.equal(names(1), names(1))
    assert.notEqual(names(1), names(2))
  })

  it('plans no server faults when none are asked for', () => {
    const plan = planFaults({ ...SHORT, brokerRestarts: 0, redisRestarts: 0, outageMs: 0 })
    assert.deepEqual(plan.servers, [])
  })
})

describe('chaos options', () => {
  it('defaults to the full run, --short to the one in npm test', () => {
    assert.deepEqual(parseChaosOptions([]), FULL)
    assert.deepEqual(parseChaosOptions(['--short']), SHORT)
    assert.equal(parseChaosOptions(['--help']), undefined)
  })

  it('reads durations and counts, naming the flag it rejects', () => {
    const o = parseChaosOptions(['--kill-every', '2500ms', '--outage', '1m', '--samples', '2_000'])!
    assert.deepEqual([o.killEveryMs, o.outageMs, o.samples], [2_500, 60_000, 2_000])
    assert.throws(() => parseChaosOptions(['--outage', 'long']), /--outage/)
    assert.throws(() => parseChaosOptions(['--samples', '-1']), /--samples/)
    assert.throws(() => parseChaosOptions(['--nope']), ChaosOptionError)
  })

  it('keeps daily windows on UTC days unless --user-zones or --daily-zone user says otherwise', () => {
    assert.deepEqual([FULL.dailyZone, FULL.zones, SHORT.dailyZone], ['utc', undefined, 'utc'])
    assert.deepEqual(parseChaosOptions(['--user-zones']), { ...FULL, ...USER_ZONES })
    assert.deepEqual(parseChaosOptions(['--short', '--user-zones']), SHORT_USER_ZONES)
    assert.deepEqual([SHORT_USER_ZONES.dailyZone, SHORT_USER_ZONES.zones], ['user', DST_ZONES])
    const o = parseChaosOptions([
      ...['--daily-zone', 'user', '--zones', 'Australia/Adelaide,Asia/Kolkata'],
      ...['--start', '2026-10-03T00:00:00Z'],
    ])!
    assert.deepEqual(
      [o.dailyZone, o.zones, o.start],
      ['user', ['Australia/Adelaide', 'Asia/Kolkata'], Date.parse('2026-10-03T00:00:00Z')],
    )
    assert.throws(() => parseChaosOptions(['--daily-zone', 'local']), /--daily-zone/)
    assert.throws(() => parseChaosOptions(['--zones', 'Europe/Atlantis']), /--zones.*Europe\/Atlantis/)
    assert.throws(() => parseChaosOptions(['--start', '2026-10-03']), /--start/)
  })
})
