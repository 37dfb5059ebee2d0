/**
 * The alert rules as typed data. A rule is a list of conditions, each a measured quantity (PromQL),
 * a comparison and a bound, that must all hold for the rule's `for:` duration; the bounds, windows
 * and durations come from `AlertOptions`, so a test can run the same rules with short ones. Each
 * rule links its runbook line in the README.
 */
import { freshness as freshnessOf, LAG, RECONCILE_BEHIND, sumRate, TARGETS } from './promql.ts'

/** How urgent a firing rule is: `critical` pages, `warning` waits for working hours. */
export type Severity = 'warning' | 'critical'

/** One comparison: `query` (a quantity per label set) `op` `value`. */
export interface Condition {
  /** PromQL whose series are the measured quantity, aggregated by the rule's labels. */
  readonly query: string
  readonly op: '>' | '<' | '==' | '!='
  readonly value: number
}

/** One alert rule. */
export interface AlertRule {
  /** `Healthstream…`: the alert's name, also its runbook anchor (lower case). */
  readonly alert: string
  /** All must hold: joined with `and`, on `on` when given, else on all labels. */
  readonly when: readonly Condition[]
  readonly on?: readonly string[]
  /** How long the conditions must hold before the alert fires (Prometheus duration). */
  readonly for: string
  readonly severity: Severity
  readonly summary: string
  readonly description: string
}

/** Bounds, windows and durations of the rules. */
export interface AlertOptions {
  /** Lag above `floor` records that grew over `window`. */
  readonly lag: { readonly floor: number; readonly window: string; readonly for: string }
  /** Newest event of a table older than `maxSeconds` while records come in over `window`. */
  readonly freshness: { readonly maxSeconds: number; readonly window: string; readonly for: string }
  /** Dead letters above `perSecond` and above `share` of a service's input, over `window`. */
  readonly deadLetters: {
    readonly perSecond: number
    readonly share: number
    readonly window: string
    readonly for: string
  }
  /**
   * No commit for `maxSeconds` while the lake-writer's input lags by more than `lagFloor` records (a
   * drained transactional topic still shows its commit markers, 1–2 per partition, as lag).
   */
  readonly commits: { readonly maxSeconds: number; readonly lagFloor: number; readonly for: string }
  /** A table more than `floor` records behind its topic (the lake-writer's reconciliation). */
  readonly reconcile: { readonly floor: number; readonly for: string }
  /** /readyz failing (STALL_TIMEOUT without progress, disconnected, no partitions). */
  readonly readiness: { readonly for: string }
  /** A target Prometheus cannot scrape. */
  readonly targets: { readonly for: string }
  /** Lag reads from Kafka failing over `window`: the lag shown (and scaled on) is stale. */
  readonly lagReads: { readonly window: string; readonly for: string }
  /** Where the runbook lines are: the README (a URL to it, for a deployment that links it). */
  readonly runbook: string
}

/** What production runs. */
export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  lag: { floor: 10_000, window: '10m', for: '10m' },
  freshness: { maxSeconds: 1800, window: '5m', for: '5m' },
  deadLetters: { perSecond: 1, share: 0.05, window: '5m', for: '10m' },
  commits: { maxSeconds: 600, lagFloor: 100, for: '1m' },
  reconcile: { floor: 10_000, for: '15m' },
  readiness: { for: '5m' },
  targets: { for: '2m' },
  lagReads: { window: '5m', for: '10m' },
  runbook: 'README.md',
}

/** The group's name in alerts.yml and the PrometheusRule. */
export const RULE_GROUP = 'healthstream'

/** Every rule, with `options`' bounds. */
export function alertRules(options: AlertOptions = DEFAULT_ALERT_OPTIONS): readonly AlertRule[] {
  const { lag, freshness, deadLetters, commits } = options
  const deadLetterRate = sumRate('healthstream_dead_letters_total', 'service', deadLetters.window)
  return [
    {
      alert: 'HealthstreamLagGrowing',
      when: [
        { query: LAG, op: '>', value: lag.floor },
        {
          query: `sum by (service, topic) (delta(healthstream_consumer_lag_records[${lag.window}]))`,
          op: '>',
          value: 0,
        },
      ],
      for: lag.for,
      severity: 'warning',
      summary: '{{ $labels.service }} falls behind on {{ $labels.topic }}',
      description: `{{ $labels.service }} has {{ $value }} records to read on {{ $labels.topic }}, more than ${lag.window} ago.`,
    },
    {
      alert: 'HealthstreamLakeStale',
      when: [
        // The raw table only: an aggregate row lands when its window closes (a day, a week, a month
        // later by design), and dead letters come in bursts
        { query: freshnessOf('{table="health_data_raw"}'), op: '>', value: freshness.maxSeconds },
        {
          query: sumRate('healthstream_records_in_total{service="ingest"}', 'service', freshness.window),
          op: '>',
          value: 0,
        },
      ],
      on: [],
      for: freshness.for,
      severity: 'critical',
      summary: '{{ $labels.table }} holds no event newer than {{ $value | humanizeDuration }}',
      description: `The newest sample in {{ $labels.table }} is older than ${freshness.maxSeconds} s while uploads come in.`,
    },
    {
      alert: 'HealthstreamDeadLettersSpike',
      when: [
        { query: deadLetterRate, op: '>', value: deadLetters.perSecond },
        {
          query: `${deadLetterRate} / ${sumRate('healthstream_records_in_total', 'service', deadLetters.window)}`,
          op: '>',
          value: deadLetters.share,
        },
      ],
      for: deadLetters.for,
      severity: 'warning',
      summary: '{{ $labels.service }} sends many records to health-data-errors',
      description: `{{ $labels.service }} dead-letters more than ${deadLetters.perSecond}/s and more than ${deadLetters.share * 100}% of its input (${deadLetters.window} average).`,
    },
    {
      alert: 'HealthstreamLakeNotCommitting',
      when: [
        {
          query: 'min by (service, instance) (healthstream_lake_seconds_since_last_commit)',
          op: '>',
          value: commits.maxSeconds,
        },
        {
          query: 'sum by (service, instance) (healthstream_consumer_lag_records{service="lake-writer"})',
          op: '>',
          value: commits.lagFloor,
        },
      ],
      for: commits.for,
      severity: 'critical',
      summary: 'lake-writer {{ $labels.instance }} commits nothing while its input lags',
      description: `lake-writer {{ $labels.instance }} has committed no table for more than ${commits.maxSeconds} s although more than ${commits.lagFloor} records wait on its input.`,
    },
    {
      alert: 'HealthstreamLakeBehind',
      when: [{ query: RECONCILE_BEHIND, op: '>', value: options.reconcile.floor }],
      for: options.reconcile.for,
      severity: 'warning',
      summary: '{{ $labels.table }} is {{ $value }} records behind its topic',
      description: `More than ${options.reconcile.floor} committed records of the topic that feeds {{ $labels.table }} are not in the table, for ${options.reconcile.for} (the lake-writer's reconciliation).`,
    },
    {
      alert: 'HealthstreamNotReady',
      when: [{ query: 'min by (service, instance) (healthstream_ready)', op: '==', value: 0 }],
      for: options.readiness.for,
      severity: 'warning',
      summary: '{{ $labels.service }} {{ $labels.instance }} is not ready',
      description:
        '/readyz of {{ $labels.service }} {{ $labels.instance }} has failed for a while: disconnected, no partitions, or no progress (its body says which).',
    },
    {
      alert: 'HealthstreamLagUnknown',
      when: [
        {
          query: `sum by (service, instance) (increase(healthstream_consumer_lag_refresh_errors_total[${options.lagReads.window}]))`,
          op: '>',
          value: 0,
        },
      ],
      for: options.lagReads.for,
      severity: 'warning',
      summary: '{{ $labels.service }} {{ $labels.instance }} cannot read its lag from Kafka',
      description:
        "{{ $labels.service }} {{ $labels.instance }} keeps failing to read its inputs' end offsets: its lag gauge is stale, and the autoscaler and the lag alerts see old figures.",
    },
    {
      alert: 'HealthstreamTargetDown',
      when: [{ query: `up${TARGETS}`, op: '==', value: 0 }],
      for: options.targets.for,
      severity: 'critical',
      summary: '{{ $labels.service }} {{ $labels.instance }} cannot be scraped',
      description:
        'Prometheus cannot read /metrics of {{ $labels.service }} {{ $labels.instance }}: the process is down or unreachable, and its lag is not reported meanwhile.',
    },
  ]
}

/** A rule's PromQL: its conditions joined with `and`, one a line. */
export function ruleExpr(rule: AlertRule): string {
  const join = rule.on === undefined ? '\nand ' : `\nand on (${rule.on.join(', ')}) `
  return rule.when.map((c) => `${c.query} ${c.op} ${c.value}`).join(join)
}

/** The README anchor of a rule's runbook line. */
export const runbookAnchor = (rule: AlertRule): string => rule.alert.toLowerCase()

/** The group as a Prometheus rule file has it (alerts.yml; the PrometheusRule's `spec`). */
export function ruleGroups(options: AlertOptions = DEFAULT_ALERT_OPTIONS) {
  return {
    groups: [
      {
        name: RULE_GROUP,
        rules: alertRules(options).map((rule) => ({
          alert: rule.alert,
          expr: ruleExpr(rule),
          for: rule.for,
          labels: { severity: rule.severity },
          annotations: {
            summary: rule.summary,
            description: rule.description,
            runbook_url: `${options.runbook}#${runbookAnchor(rule)}`,
          },
        })),
      },
    ],
  }
}
