/**
 * Healthstream simulator: realistic HealthDataBatch uploads to Kafka, with a ground-truth file.
 *   npm run simulate -- --users 100 --samples 1000000 --truth truth.ndjson
 */
import { OptionError, parseOptions, USAGE } from './options.ts'
import { simulate } from './simulate.ts'

export { type SimulatorOptions, simulatorOptions } from './options.ts'
export { type SimulateStats, simulate } from './simulate.ts'

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions(process.argv.slice(2), process.env, Date.now())
  } catch (error) {
    if (!(error instanceof OptionError)) throw error
    process.stderr.write(`simulator: ${error.message}\n${USAGE}\n`)
    process.exit(2)
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const stats = await simulate(options)
  const { samplesPerSecond, elapsedMs, ...rest } = stats
  process.stderr.write(`${JSON.stringify(rest)}\n`)
  process.stdout.write(
    `simulator: sent ${stats.samplesSent.toLocaleString('en')} samples (${stats.samples.toLocaleString('en')} distinct) ` +
      `in ${stats.batches.toLocaleString('en')} batches to ${stats.topic} in ${(elapsedMs / 1000).toFixed(1)} s: ` +
      `${samplesPerSecond.toLocaleString('en')} samples/s\n`,
  )
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `simulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exit(1)
  })
}
