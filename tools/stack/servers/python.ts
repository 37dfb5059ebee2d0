/**
 * The independent lake readers (pyiceberg, DuckDB) as a stack entry: a tool, not a process. `up`
 * builds the venv (tools/stack/python.ts), `status` says whether it is built, `down` leaves it,
 * `env` prints LAKE_PYTHON.
 */
import { ensurePythonReaders, pythonReadersEnv, pythonReadersInstalled, venvDir } from '../python.ts'
import type { StackServer } from '../server.ts'

export const pythonReaders: StackServer = {
  name: 'python',
  kind: 'tool',
  ports: [],

  async install() {
    console.error(`python: lake readers ready (LAKE_PYTHON=${await ensurePythonReaders()})`)
  },

  async prepare() {
    throw new Error('python: a tool, not a server; there is nothing to launch')
  },

  async ready() {
    if (!pythonReadersInstalled()) {
      throw new Error(`no up-to-date venv in ${venvDir}: run 'npm run stack -- up python'`)
    }
  },

  env() {
    return pythonReadersEnv()
  },
}
