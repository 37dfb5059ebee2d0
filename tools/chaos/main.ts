/**
 * `npm run chaos`: kills and outages while the simulator sends, then the end-to-end invariants.
 * The run gets a stack of its own (ports shifted by CHAOS_PORT_SHIFT, default 3000, data under
 * `<stack dir>/chaos-<shift>`), because it restarts the broker and Redis and stops S3: nothing else using
 * the developer's stack is disturbed. The launcher makes sure the Python lake readers exist, then
 * runs itself again with that stack's environment.
 */
import { spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ChaosOptionError, type ChaosOptions, parseChaosOptions, USAGE } from './options.ts'

const CHILD = 'HEALTHSTREAM_CHAOS_STACK'

async function launch(argv: readonly string[]): Promise<number> {
  const { up } = await import('../stack/main.ts')
  const { stackDir } = await import('../stack/paths.ts')
  const { pythonReaders } = await import('../stack/servers/python.ts')
  await up([pythonReaders])
  const shift = Number(process.env.CHAOS_PORT_SHIFT ?? 3000)
  const env = {
    ...process.env,
    [CHILD]: '1',
    STACK_PORT_OFFSET: String(Number(process.env.STACK_PORT_OFFSET ?? 0) + shift),
    HEALTHSTREAM_STACK_DIR: join(stackDir, `chaos-${shift}`),
    ...pythonReaders.env(),
  }
  const child = spawn(process.execPath, [import.meta.filename, ...argv], { env, stdio: 'inherit' })
  const stop = () => child.kill('SIGINT')
  process.on('SIGINT', stop)
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))
}

/** In the chaos stack's process: a fresh stack, the run, the report, the stack stopped again. */
async function run(options: ChaosOptions): Promise<number> {
  const { down, envLines, up } = await import('../stack/main.ts')
  const { stackDir } = await import('../stack/paths.ts')
  const { allServers } = await import('../stack/servers/index.ts')
  const { runChaos } = await import('./run.ts')
  const { formatReport } = await import('./report.ts')
  const servers = allServers.filter((s) => ['kafka', 'registry', 'redis', 's3', 'postgres'].includes(s.name))
  await down(servers) // a run interrupted before left its servers; start from empty data
  rmSync(stackDir, { recursive: true, force: true })
  await up(servers)
  try {
    for (const line of envLines(servers)) {
      const [key, value] = line.split(/=(.*)/s)
      process.env[key!] = value
    }
    const report = await runChaos(options, join(stackDir, 'run'))
    const path = options.reportPath ?? join(stackDir, 'report.json')
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`)
    console.log(formatReport(report))
    console.log(`report: ${path}`)
    return report.violations.length === 0 ? 0 : 1
  } finally {
    await down(servers)
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options: ChaosOptions | undefined
  try {
    options = parseChaosOptions(argv)
  } catch (error) {
    if (!(error instanceof ChaosOptionError)) throw error
    console.error(`chaos: ${error.message}\n${USAGE}`)
    return 2
  }
  if (options === undefined) {
    console.log(USAGE)
    return 0
  }
  return process.env[CHILD] ? run(options) : launch(argv)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
