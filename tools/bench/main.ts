/**
 * `npm run bench -- <name> [args]`: runs the benchmark in `tools/bench/<name>.ts`.
 * A benchmark module exports `run(args: string[])`; a file without that export is a standalone script
 * and runs as its own process with the same arguments (e.g. `domain`). Without a name, or with flags
 * only, the end-to-end benchmark (`e2e`) runs; `--help` lists them all.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = import.meta.dirname
const RUN_EXPORT = /^export\s+(?:async\s+)?function\s+run\s*\(|^export\s+const\s+run\s*=/m

function benchmarks(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'main.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort()
}

/** The first line of text in the file's leading comment, as its one-line description. */
function describe(name: string): string {
  const text = readFileSync(join(dir, `${name}.ts`), 'utf8')
  for (const line of text.split('\n')) {
    const content = line
      .replace(/^\s*(?:\/\*\*?|\*\/|\*|\/\/)\s?/, '')
      .replace(/\*\/\s*$/, '')
      .trim()
    if (content !== '') return content
  }
  return ''
}

/** The benchmark plain `npm run bench` runs. */
const DEFAULT = 'e2e'

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    console.log('usage: npm run bench [-- <name>] [args]   (<name> --help for its flags)\n')
    for (const b of benchmarks())
      console.log(`  ${b.padEnd(16)} ${describe(b)}${b === DEFAULT ? ' [default]' : ''}`)
    return 0
  }
  // Flags only (or nothing): they are the default benchmark's
  const [name = DEFAULT, ...args] =
    argv[0] === undefined || argv[0].startsWith('-') ? [DEFAULT, ...argv] : argv
  const file = join(dir, `${name}.ts`)
  if (!/^[\w-]+$/.test(name) || !existsSync(file)) {
    console.error(`bench: no benchmark '${name}'; known: ${benchmarks().join(', ')}`)
    return 2
  }
  if (RUN_EXPORT.test(readFileSync(file, 'utf8'))) {
    const module = (await import(pathToFileURL(file).href)) as { run(args: string[]): Promise<void> | void }
    await module.run(args)
    return 0
  }
  // A script that runs on import: give it its own process and argv
  const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit' })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
