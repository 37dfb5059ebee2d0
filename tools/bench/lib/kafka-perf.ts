import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findJava } from '../../stack/maven.ts'
import { CpuMeter, type CpuUse } from './cpu.ts'

/** What the broker does with the same record sizes, measured by Kafka's own tools from the same jars. */
export interface BrokerCeiling {
  readonly label: string
  readonly recordBytes: number
  readonly records: number
  readonly producer: { recordsPerSecond: number; mbPerSecond: number; p50Ms: number; p99Ms: number }
  readonly consumer: { recordsPerSecond: number; mbPerSecond: number }
  readonly producerCpu: CpuUse
  readonly consumerCpu: CpuUse
}

export interface PerfOptions {
  readonly libs: string
  readonly brokers: string
  readonly topic: string
  readonly records: number
  readonly recordBytes: number
  readonly transactionalId: string
  readonly group: string
  readonly transactionMs: number
}

/**
 * ProducerPerformance with transactions (acks=all, idempotent, one commit every `transactionMs`),
 * then ConsumerPerformance with read_committed over what it wrote. The tool's JVM is watched as "tool".
 */
export async function brokerCeiling(label: string, o: PerfOptions, meter: CpuMeter): Promise<BrokerCeiling> {
  const dir = mkdtempSync(join(tmpdir(), 'hs-bench-'))
  try {
    const consumerConfig = join(dir, 'consumer.properties')
    writeFileSync(consumerConfig, 'isolation.level=read_committed\nauto.offset.reset=earliest\n')
    const producer = await java(
      meter,
      o.libs,
      'org.apache.kafka.tools.ProducerPerformance',
      ['--topic', o.topic, '--num-records', String(o.records), '--record-size', String(o.recordBytes)],
      ['--throughput', '-1', '--transactional-id', o.transactionalId],
      [
        '--transaction-duration-ms',
        String(o.transactionMs),
        '--producer-props',
        `bootstrap.servers=${o.brokers}`,
      ],
      // Batches of the size the services send (512 KiB chunks), no compression (as the services)
      ['acks=all', 'batch.size=524288', 'linger.ms=5', 'compression.type=none'],
    )
    // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P50 ms 50th, ..."
    const p = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      producer.out,
    )
    if (!p) throw new Error(`ProducerPerformance printed no summary:\n${producer.out.slice(-2000)}`)
    const consumer = await java(
      meter,
      o.libs,
      'org.apache.kafka.tools.ConsumerPerformance',
      ['--bootstrap-server', o.brokers, '--topic', o.topic, '--messages', String(o.records)],
      ['--group', o.group, '--consumer.config', consumerConfig, '--timeout', '20000', '--hide-header'],
    )
    // start, end, MB, MB/s, nMsg, nMsg/s, rebalance ms, fetch ms, fetch MB/s, fetch nMsg/s
    const line = consumer.out
      .trim()
      .split('\n')
      .findLast((l) => l.split(',').length >= 10)
    if (!line) throw new Error(`ConsumerPerformance printed no summary:\n${consumer.out.slice(-2000)}`)
    const c = line.split(',').map((s) => s.trim())
    return {
      label,
      recordBytes: o.recordBytes,
      records: o.records,
      producer: {
        recordsPerSecond: Math.round(Number(p[1])),
        mbPerSecond: Number(p[2]),
        p50Ms: Number(p[3]),
        p99Ms: Number(p[5]),
      },
      consumer: { recordsPerSecond: Math.round(Number(c[9])), mbPerSecond: Number(c[8]) },
      producerCpu: producer.cpu,
      consumerCpu: consumer.cpu,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs one Kafka tool class to completion; output and the CPU it and the watched processes used. */
async function java(
  meter: CpuMeter,
  libs: string,
  main: string,
  ...args: string[][]
): Promise<{ out: string; cpu: CpuUse }> {
  const child = spawn(findJava(17), ['-Xmx1g', '-cp', `${libs}/*`, main, ...args.flat()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  meter.watch('tool', child.pid)
  const before = meter.snapshot()
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
  let after = before
  // Read the CPU just before the JVM is reaped (its /proc entry goes away with it)
  const poll = setInterval(() => {
    after = meter.snapshot()
  }, 250)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  clearInterval(poll)
  meter.unwatch('tool')
  if (code !== 0) throw new Error(`${main} exited with ${code}:\n${out.slice(-2000)}`)
  return { out, cpu: CpuMeter.between(before, after) }
}
