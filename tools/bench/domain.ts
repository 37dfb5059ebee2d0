// Micro-benchmark of the pure hot path of ingest and validator: flattenBatch + validateSample.
// Usage: bash tools/node.sh tools/bench/domain.ts [samples=1000000] [samplesPerBatch=100]
// Prints samples/s for each step and for both together (the target is >= 100 000 samples/s per hop).
import type { RawBatch, RawSample, SourceRecord } from '@healthstream/shared/domain'
import {
  builtinDataTypes,
  flattenBatch,
  formatIsoTimestamp,
  MICROS_PER_MINUTE,
  validateSample,
  validationConfig,
} from '@healthstream/shared/domain'

const total = Number(process.argv[2] ?? 1_000_000)
const perBatch = Number(process.argv[3] ?? 100)
const NOW = Date.UTC(2026, 10, 25, 12) * 1000
const config = validationConfig({ dataTypes: builtinDataTypes() })

// A realistic mix: instant and interval types, converted units, an unknown type, a few invalid values.
const KINDS: [string, string, number, boolean][] = [
  ['heart_rate', 'count/min', 72, false],
  ['steps', 'count', 812, true],
  ['body_weight', 'lb', 160, false],
  ['blood_glucose', 'mmol/L', 5.4, false],
  ['oxygen_saturation', '%', 97, false],
  ['vo2_max', 'mL/kg/min', 41, false],
  ['heart_rate', 'count/min', 400, false],
]

function sample(i: number): RawSample {
  const [dataType, unit, value, interval] = KINDS[i % KINDS.length]!
  const start = NOW - 3_600_000_000 - (i % 50_000) * 1_000_123
  const offset = (i % 3) * 60 - 60
  return {
    sampleId: `sample-${i}`,
    dataType,
    value,
    unit,
    startTime: formatIsoTimestamp(start, offset),
    endTime: interval ? formatIsoTimestamp(start + MICROS_PER_MINUTE, offset) : null,
    sourceApp: 'bench',
    confidence: null,
    metadata: {},
  }
}

function batches(): RawBatch[] {
  const out: RawBatch[] = []
  for (let b = 0; b * perBatch < total; b++) {
    const samples: RawSample[] = []
    for (let i = b * perBatch; i < Math.min(total, (b + 1) * perBatch); i++) samples.push(sample(i))
    out.push({
      batchId: `batch-${b}`,
      userId: `user-${b % 1000}`,
      deviceId: 'device',
      platform: 'ANDROID',
      appVersion: '1.0.0',
      uploadedAt: formatIsoTimestamp(NOW - 60_000_000, 60),
      timeZone: 'Europe/Berlin',
      samples,
      metadata: {},
    })
  }
  return out
}

interface Tally {
  flattenMs: number
  validateMs: number
  valid: number
  invalid: number
  badTime: number
}

function run(input: RawBatch[]): Tally {
  const tally: Tally = { flattenMs: 0, validateMs: 0, valid: 0, invalid: 0, badTime: 0 }
  for (let b = 0; b < input.length; b++) {
    const source: SourceRecord = { topic: 'health-data-raw', partition: b % 6, offset: b, writerSchemaId: 2 }
    const t0 = performance.now()
    const { samples, errors } = flattenBatch(input[b]!, source, NOW)
    const t1 = performance.now()
    for (let i = 0; i < samples.length; i++) {
      if (validateSample(samples[i]!, config, NOW).ok) tally.valid++
      else tally.invalid++
    }
    const t2 = performance.now()
    tally.flattenMs += t1 - t0
    tally.validateMs += t2 - t1
    tally.badTime += errors.length
  }
  return tally
}

const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} samples/s`

const input = batches()
run(input.slice(0, Math.ceil(input.length / 10))) // warm-up: let the JIT settle before measuring
const t = run(input)
console.log(
  `domain bench: ${total.toLocaleString('en-US')} samples in batches of ${perBatch} (node ${process.version})`,
)
console.log(`  flatten            ${t.flattenMs.toFixed(0)} ms  ${rate(total, t.flattenMs)}`)
console.log(`  validate           ${t.validateMs.toFixed(0)} ms  ${rate(total - t.badTime, t.validateMs)}`)
console.log(
  `  flatten+validate   ${(t.flattenMs + t.validateMs).toFixed(0)} ms  ${rate(total, t.flattenMs + t.validateMs)}`,
)
console.log(`  outcome: ${t.valid} valid, ${t.invalid} invalid, ${t.badTime} bad timestamps`)
