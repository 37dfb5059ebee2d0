/**
 * `npm test`: unit tests plus integration tests against real servers.
 * Endpoints given in the environment are used as they are; otherwise the local stack is brought up,
 * and whatever this run started is stopped again at the end, pass or fail.
 */
import { spawn } from 'node:child_process'
import { globSync } from 'node:fs'
import { down, envLines, up } from './stack/main.ts'
import { projectRoot } from './stack/paths.ts'
import { allServers } from './stack/servers/index.ts'

const TEST_GLOBS = [
  'packages/*/test/**/*.test.ts',
  'services/*/test/**/*.test.ts',
  'tools/**/test/**/*.test.ts',
  'tests/**/*.test.ts',
]

function testFiles(filter: readonly string[]): string[] {
  const files = TEST_GLOBS.flatMap((g) => globSync(g, { cwd: projectRoot })).filter(
    (f) => !f.includes('node_modules'),
  )
  const chosen = filter.length === 0 ? files : files.filter((f) => filter.some((part) => f.includes(part)))
  return chosen.sort()
}

function runNodeTest(files: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
      cwd: projectRoot,
      env,
      stdio: 'inherit',
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

/** Tests that need real servers: `*.int.test.ts`. */
const needsServers = (file: string): boolean => file.includes('.int.test.')

async function main(args: readonly string[]): Promise<number> {
  const unitOnly = args.includes('--unit')
  const filter = args.filter((a) => a !== '--unit')
  const files = testFiles(filter).filter((f) => !unitOnly || !needsServers(f))
  if (unitOnly) return runNodeTest(files, process.env)
  if (files.length === 0) {
    console.error(`no test files match ${filter.join(' ')}`)
    return 1
  }
  const given = process.env.KAFKA_BROKERS !== undefined
  const started = given ? [] : await up(allServers)
  const stackEnv = given ? {} : Object.fromEntries(envLines().map((line) => line.split(/=(.*)/s).slice(0, 2)))
  const stopStarted = async (): Promise<void> => {
    if (started.length > 0) await down(allServers.filter((s) => started.includes(s.name)))
  }
  process.once('SIGINT', () => void stopStarted().then(() => process.exit(130)))
  try {
    return await runNodeTest(files, { ...process.env, ...stackEnv })
  } finally {
    await stopStarted()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`test: ${error.message}`)
    process.exit(1)
  },
)
