/**
 * The dashboard and the alert rules against a real Prometheus (Debian's package) that scrapes the four
 * services, running on the local stack while the simulator feeds them:
 * - promtool accepts the committed rule file and compose's Prometheus configuration;
 * - every query of every dashboard panel (read from the committed JSON, `$__rate_interval` as 30s)
 *   and every condition of every committed rule (its measured quantity: the query left of the
 *   comparison, so that a healthy pipeline still shows its series) answers without error and with at
 *   least one series; every rule, loaded with short bounds, evaluates with health `ok`;
 * - pausing the lake-writer while data flows fires HealthstreamLagGrowing,
 *   HealthstreamLakeNotCommitting and HealthstreamLakeBehind for it, and resuming resolves them.
 * The same rule expressions run here as in production; only bounds, windows and `for:` are shorter.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import {
  eventually,
  freePort,
  produceRaw,
  projectRoot,
  simulateInto,
  TEST_ADMIN_TOKEN,
  testPipeline,
} from '@healthstream/testkit/stack'
import {
  ALERTS_PATH,
  type AlertOptions,
  alertRules,
  alertsFile,
  DEFAULT_ALERT_OPTIONS,
  ensurePrometheus,
  PrometheusServer,
  prometheusConfig,
  promtool,
} from '@healthstream/tools/monitoring'
import { dashboardQueries, readDashboard } from '../compose/dashboard.ts'

/** Short enough to fire within seconds of pausing the lake-writer; the rest well out of reach. */
const SHORT: AlertOptions = {
  ...DEFAULT_ALERT_OPTIONS,
  lag: { floor: 1500, window: '15s', for: '5s' },
  freshness: { maxSeconds: 86_400, window: '30s', for: '5s' },
  deadLetters: { perSecond: 10_000, share: 0.9, window: '30s', for: '5s' },
  commits: { maxSeconds: 15, lagFloor: 100, for: '2s' },
  reconcile: { floor: 5000, for: '3s' },
  readiness: { for: '30s' },
  targets: { for: '5s' },
  lagReads: { window: '30s', for: '5s' },
}
const DRIVEN = ['HealthstreamLagGrowing', 'HealthstreamLakeNotCommitting', 'HealthstreamLakeBehind']

describe('the dashboard and alert rules on a real Prometheus', { timeout: 420_000 }, () => {
  const pipeline = testPipeline('monitoring')
  const dir = mkdtempSync(join(tmpdir(), 'hs-monitoring-'))
  const target = localTarget(join(dir, 'lake'))
  const common = { TOPIC_PARTITIONS: '4', LAG_REFRESH_INTERVAL: '1s' }
  const writer = pipeline.service('lake-writer', {
    ...common,
    ...target.env,
    COMMIT_INTERVAL: '1s',
    RECONCILE_INTERVAL: '1s',
  })
  const services = [
    pipeline.service('ingest', common),
    pipeline.service('validator', common),
    pipeline.service('aggregator', { ...common, PARTITION_IDLE_TIMEOUT: '1ms' }),
    writer,
  ]
  let prometheus: PrometheusServer | undefined
  let feeding = true
  let feeder: Promise<void> = Promise.resolve()
  let feedError: Error | undefined

  before(async () => {
    ensurePrometheus()
    await Promise.all(services.map((s) => s.start()))
    writeFileSync(join(dir, 'alerts.yml'), alertsFile(SHORT))
    const config = prometheusConfig({
      targets: services.map((s) => ({ service: s.name, address: `127.0.0.1:${s.port}` })),
      ruleFiles: [join(dir, 'alerts.yml')],
      interval: '1s',
    })
    prometheus = await PrometheusServer.start({ dir, config, port: await freePort() })
    feeder = feed().catch((error: Error) => {
      feedError = error
    })
  })

  after(async () => {
    feeding = false
    await feeder
    await prometheus?.stop()
    await Promise.all(services.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  /** Uploads until the test ends: events up to now, a few invalid; also records no decoder takes. */
  async function feed(): Promise<void> {
    for (let round = 1; feeding; round++) {
      await simulateInto(pipeline, {
        samples: 400,
        users: 100,
        rate: 200,
        seed: 1000 + round, // new sample ids each round: no duplicates of earlier rounds
        start: Date.now() - 80 * 60_000, // 400 samples of 100 users span about 75 minutes
        invalidShare: 0.05,
        duplicateShare: 0.02,
        lateShare: 0,
      })
      if (round % 5 === 1) {
        // Dead letters of ingest, and of the aggregator and lake-writer reading health-data-validated
        const garbage = [{ key: `garbage-${round}`, value: Buffer.from('not Avro') }]
        await produceRaw(pipeline.topics.raw, garbage)
        await produceRaw(pipeline.topics.validated, garbage)
      }
    }
  }

  const query = (expr: string) => prometheus!.query(expr)
  /** `eventually`, failing at once when feeding failed. */
  const until = (what: string, check: () => Promise<boolean>, timeoutMs: number) =>
    eventually(
      what,
      async () => {
        if (feedError) throw new Error(`feeding the pipeline failed: ${feedError.message}`)
        return check()
      },
      timeoutMs,
    )

  it('has the committed rule file and compose configuration accepted by promtool', () => {
    const rules = promtool(['check', 'rules', ALERTS_PATH], projectRoot)
    assert.equal(rules.status, 0, rules.output)
    const config = promtool(['check', 'config', 'deploy/prometheus/prometheus.yml'], projectRoot)
    assert.equal(config.status, 0, config.output)
    const short = promtool(['check', 'rules', join(dir, 'alerts.yml')])
    assert.equal(short.status, 0, short.output)
  })

  it('answers every panel query and every rule condition with series', async () => {
    const exprs = [
      ...dashboardQueries(readDashboard(projectRoot)).map((q) => ({
        name: `panel '${q.name}'`,
        expr: q.expr.replaceAll('$__rate_interval', '30s'),
      })),
      ...alertRules().flatMap((rule) =>
        rule.when.map((c) => ({ name: `rule ${rule.alert}`, expr: c.query })),
      ),
    ]
    const started = Date.now()
    let empty: string[] = []
    await until(
      'a series for every query',
      async () => {
        empty = []
        for (const { name, expr } of exprs)
          if ((await query(expr)).length === 0) empty.push(`${name}: ${expr}`)
        return empty.length === 0
      },
      180_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; still empty:\n${empty.join('\n')}`)
    })
    console.log(
      `${exprs.length} queries answered with series ${Math.round((Date.now() - started) / 1000)} s after start`,
    )
    const rules = await prometheus!.rules()
    assert.deepEqual(
      rules.map((r) => r.name),
      alertRules(SHORT).map((r) => r.alert),
    )
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`)
  })

  it('fires the lag and commit alerts while the lake-writer is paused, and resolves them once it resumes', async () => {
    const firing = async (): Promise<string[]> =>
      (await prometheus!.alerts())
        .filter((a) => a.state === 'firing' && DRIVEN.includes(a.labels.alertname!))
        .filter((a) => a.labels.service === 'lake-writer')
        .map((a) => `${a.labels.alertname}${a.labels.topic ? ` (${a.labels.topic})` : ''}`)
    const admin = (action: string) =>
      writer.fetch(`/admin/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
    await until(
      'no lake-writer alert firing before the pause',
      async () => (await firing()).length === 0,
      60_000,
    )

    const paused = Date.now()
    assert.equal((await admin('pause')).status, 200)
    const fired = new Map<string, number>()
    await until(
      `${DRIVEN.join(' and ')} firing`,
      async () => {
        for (const name of await firing()) if (!fired.has(name)) fired.set(name, Date.now() - paused)
        return DRIVEN.every((alert) => [...fired.keys()].some((name) => name.startsWith(alert)))
      },
      120_000,
    )

    const resumed = Date.now()
    assert.equal((await admin('resume')).status, 200)
    await until('the alerts resolved', async () => (await firing()).length === 0, 120_000)
    const resolvedAfter = Date.now() - resumed
    for (const [name, ms] of fired) console.log(`${name} fired ${(ms / 1000).toFixed(1)} s after the pause`)
    console.log(`all resolved ${(resolvedAfter / 1000).toFixed(1)} s after the resume`)
  })
})
