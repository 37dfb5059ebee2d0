/**
 * The Healthstream dashboard, written with Grafana's typed builders: throughput and lag, the lake's
 * freshness, errors (dead letters, aborts, Redis, catalog) and resources, one row each. Every query
 * reads the Prometheus datasource that compose provisions (and a Kubernetes Grafana names alike).
 */
import {
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common'
import { type Dashboard, DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries'
import { freshness, LAG, quantile, RECONCILE_BEHIND, SINCE_COMMIT, sumRate, TARGETS } from './promql.ts'

/** The uid of the provisioned Prometheus datasource (deploy/grafana/provisioning/datasources). */
export const DATASOURCE_UID = 'healthstream-prometheus'

const DATASOURCE = { type: 'prometheus', uid: DATASOURCE_UID }
/** Grafana's window for rates: at least four scrape intervals, whatever the zoom. */
const W = '$__rate_interval'

/** One query of a panel and the legend of its series. */
interface Query {
  readonly expr: string
  readonly legend: string
}

/** One panel: a time series unless `stat`. */
interface PanelSpec {
  readonly title: string
  readonly description: string
  /** Grafana's unit id: `short`, `s`, `bytes`, `reqps` … */
  readonly unit: string
  readonly queries: readonly Query[]
  readonly stat?: boolean
}

/** A row of panels. */
interface Section {
  readonly title: string
  readonly panels: readonly PanelSpec[]
}

const q = (expr: string, legend: string): Query => ({ expr, legend })

const SECTIONS: readonly Section[] = [
  {
    title: 'Health',
    panels: [
      {
        title: 'Instances up, by service',
        description: 'Targets Prometheus scrapes successfully (alert: HealthstreamTargetDown).',
        unit: 'short',
        stat: true,
        queries: [q(`sum by (service) (up${TARGETS})`, '{{service}}')],
      },
      {
        title: 'Instances ready, by service',
        description:
          'Instances whose /readyz answers 200: connected, partitions assigned, progressing (alert: HealthstreamNotReady).',
        unit: 'short',
        stat: true,
        queries: [q('sum by (service) (healthstream_ready)', '{{service}}')],
      },
    ],
  },
  {
    title: 'Throughput and lag',
    panels: [
      {
        title: 'Records consumed per second, by service',
        description: 'Records read from the input topics (counted once their transaction or commit landed).',
        unit: 'reqps',
        queries: [q(sumRate('healthstream_records_in_total', 'service', W), '{{service}}')],
      },
      {
        title: 'Records produced per second, by service and topic',
        description: "Records written to each output topic; the lake-writer's are rows, by table.",
        unit: 'reqps',
        queries: [
          q(sumRate('healthstream_records_out_total', 'service, topic', W), '{{service}} → {{topic}}'),
        ],
      },
      {
        title: 'Consumer lag, by service and topic',
        description:
          "Records between each input's read_committed end and the group's committed position (the lake-writer's: the offsets its tables record), summed over the instances (alert: HealthstreamLagGrowing).",
        unit: 'short',
        queries: [q(LAG, '{{service}} ← {{topic}}')],
      },
      {
        title: 'Kafka transactions per second, by outcome',
        description: 'Committed and aborted transactions of the three hops; an abort is retried.',
        unit: 'reqps',
        queries: [
          q(sumRate('healthstream_transactions_total', 'service, outcome', W), '{{service}} {{outcome}}'),
        ],
      },
      {
        title: 'Transaction time p95, by service',
        description: 'From the first record consumed to the committed transaction.',
        unit: 's',
        queries: [q(quantile(0.95, 'healthstream_transaction_seconds', 'service', W), '{{service}}')],
      },
      {
        title: 'Record latency p99, by service',
        description:
          "From an input record's timestamp (its producer's create time) to the commit of the transaction that consumed it: what one hop adds, the wait upstream of it included.",
        unit: 's',
        queries: [q(quantile(0.99, 'healthstream_record_latency_seconds', 'service', W), '{{service}}')],
      },
      {
        title: 'Assigned partitions, by service',
        description: 'Input partitions the instances of each service own.',
        unit: 'short',
        queries: [q('sum by (service) (healthstream_assigned_partitions)', '{{service}}')],
      },
    ],
  },
  {
    title: 'Lake',
    panels: [
      {
        title: 'Event-time freshness, by table',
        description:
          'Now minus the newest event time each table holds, as the freshest lake-writer instance saw it (alert: HealthstreamLakeStale).',
        unit: 's',
        queries: [q(freshness(), '{{table}}')],
      },
      {
        title: 'Seconds since the last commit, by table',
        description:
          'Since any lake-writer instance last committed the table (alert: HealthstreamLakeNotCommitting).',
        unit: 's',
        queries: [q(SINCE_COMMIT, '{{table}}')],
      },
      {
        title: 'Records the lake does not hold yet, by table',
        description:
          'Committed records on each table’s topic past the offset the table records, from the lake-writer’s reconciliation every RECONCILE_INTERVAL (alert: HealthstreamLakeBehind; `npm run ops -- reconcile` for the partitions).',
        unit: 'short',
        queries: [q(RECONCILE_BEHIND, '{{table}}')],
      },
      {
        title: 'Rows committed per second, by table',
        description: 'Rows landed in Iceberg snapshots.',
        unit: 'reqps',
        queries: [q(sumRate('healthstream_lake_rows_committed_total', 'table', W), '{{table}}')],
      },
      {
        title: 'Commit time p95, by table',
        description: 'Writing the Parquet files and committing one snapshot.',
        unit: 's',
        queries: [q(quantile(0.95, 'healthstream_lake_commit_seconds', 'table', W), '{{table}}')],
      },
      {
        title: 'Commit conflicts and resyncs per second',
        description:
          'Commits redone because another writer committed in between, and buffers dropped and re-read from the tables after an error.',
        unit: 'reqps',
        queries: [
          q(sumRate('healthstream_lake_commit_conflicts_total', 'table', W), 'conflicts {{table}}'),
          q(sumRate('healthstream_lake_resyncs_total', 'service', W), 'resyncs'),
        ],
      },
    ],
  },
  {
    title: 'Errors',
    panels: [
      {
        title: 'Dead letters per second, by service and reason',
        description:
          'Records sent to health-data-errors by the hops, and records the lake-writer wrote to health_data_errors instead of their own table (alert: HealthstreamDeadLettersSpike).',
        unit: 'reqps',
        queries: [
          q(sumRate('healthstream_dead_letters_total', 'service, reason', W), '{{service}} {{reason}}'),
          q(
            sumRate('healthstream_lake_skipped_records_total', 'service, reason', W),
            '{{service}} {{reason}}',
          ),
        ],
      },
      {
        title: 'Duplicates dropped per second',
        description: 'Samples the validator dropped as re-uploads.',
        unit: 'reqps',
        queries: [q(sumRate('healthstream_duplicates_dropped_total', 'service', W), '{{service}}')],
      },
      {
        title: 'Redis errors per second, by service and operation',
        description:
          "Failed Redis calls and lost connections of the validator (duplicate checks) and the aggregator (window state); each aborts the batch's transaction, which is retried.",
        unit: 'reqps',
        queries: [
          q(sumRate('healthstream_redis_errors_total', 'service, operation', W), '{{service}} {{operation}}'),
        ],
      },
      {
        title: 'Catalog errors per second, by table and operation',
        description:
          'Failed catalog calls of the lake-writer: snapshot commits (retried, then resynced) and table reads.',
        unit: 'reqps',
        queries: [
          q(
            sumRate('healthstream_lake_catalog_errors_total', 'table, operation', W),
            '{{table}} {{operation}}',
          ),
        ],
      },
    ],
  },
  {
    title: 'Resources',
    panels: [
      {
        title: 'CPU, by service (cores)',
        description: 'CPU seconds per second, summed over the instances.',
        unit: 'short',
        queries: [q(`sum by (service) (rate(process_cpu_seconds_total${TARGETS}[${W}]))`, '{{service}}')],
      },
      {
        title: 'Resident memory, largest instance per service',
        description: 'RSS of the largest instance: what meets a memory limit first.',
        unit: 'bytes',
        queries: [q(`max by (service) (process_resident_memory_bytes${TARGETS})`, '{{service}}')],
      },
      {
        title: 'Event-loop lag p99, worst instance per service',
        description: 'How long callbacks waited for the event loop.',
        unit: 's',
        queries: [q(`max by (service) (nodejs_eventloop_lag_p99_seconds${TARGETS})`, '{{service}}')],
      },
    ],
  },
]

/** The dashboard, as Grafana reads it from a file or a ConfigMap. */
export function healthstreamDashboard(): Dashboard {
  const builder = new DashboardBuilder('Healthstream')
    .uid('healthstream')
    .description(
      'The pipeline as its four services report it on /metrics (ingest, validator, aggregator, lake-writer).',
    )
    .tags(['healthstream'])
    .timezone('utc')
    .readonly() // provisioned from a file: changes belong in this code
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
  let id = 0
  for (const section of SECTIONS) {
    builder.withRow(new RowBuilder(section.title).id(++id))
    for (const spec of section.panels) builder.withPanel(panel(spec).id(++id))
  }
  return builder.build()
}

function panel(spec: PanelSpec): StatPanel | TimeseriesPanel {
  const targets = spec.queries.map((query, i) =>
    new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .expr(query.expr)
      .legendFormat(query.legend)
      .datasource(DATASOURCE),
  )
  if (spec.stat)
    return new StatPanel()
      .title(spec.title)
      .description(spec.description)
      .datasource(DATASOURCE)
      .unit(spec.unit)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
      .targets(targets)
  return new TimeseriesPanel()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .targets(targets)
}
