/**
 * Bun and Deno, the other two runtimes the services run on, as a stack tool: `up` installs them from
 * the npm registry (the `bun` and `deno` packages carry their binaries) into the cache, `env` prints
 * BUN_BIN and DENO_BIN for the runtime tests.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir } from '../paths.ts'
import type { StackServer } from '../server.ts'

const VERSIONS = { bun: '1.4.4', deno: '2.9.6' } as const
const dir = join(cacheDir, 'runtimes', `bun-${VERSIONS.bun}-deno-${VERSIONS.deno}`)
const bin = (name: string): string => join(dir, 'node_modules', '.bin', name)
const installed = (): boolean => existsSync(bin('bun')) && existsSync(bin('deno'))

export const runtimes: StackServer = {
  name: 'runtimes',
  kind: 'tool',
  ports: [],

  async install() {
    if (installed()) return
    mkdirSync(dir, { recursive: true })
    console.error(`runtimes: installing bun@${VERSIONS.bun} and deno@${VERSIONS.deno} from the npm registry`)
    try {
      execFileSync(
        'npm',
        [
          'install',
          '--prefix',
          dir,
          '--no-save',
          '--no-audit',
          '--no-fund',
          `bun@${VERSIONS.bun}`,
          `deno@${VERSIONS.deno}`,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      )
    } catch (error) {
      throw new Error('runtimes: npm could not install bun and deno', { cause: error })
    }
  },

  async prepare() {
    throw new Error('runtimes: a tool, not a server; there is nothing to launch')
  },

  async ready() {
    if (!installed())
      throw new Error(`bun and deno are not installed in ${dir}: run 'npm run stack -- up runtimes'`)
  },

  env() {
    return { BUN_BIN: bin('bun'), DENO_BIN: bin('deno') }
  },
}
