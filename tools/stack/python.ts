/**
 * The independent lake readers: a Python virtualenv at `<stack dir>/venv` with pyiceberg and DuckDB
 * (plus its iceberg, avro and httpfs extensions from PyPI, so DuckDB never downloads anything), pinned
 * by packages/testkit/src/lake/requirements.txt. Tests reach it through LAKE_PYTHON (packages/testkit/src/lake/reader.ts).
 *
 * Wheels are cached in `<cache>/pip`, so a rebuild is fast. A marker file written last holds the
 * requirements the venv was built from; while it matches, ensurePythonReaders does nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheDir, projectRoot, stackDir } from './paths.ts'
import { requireTool, run } from './tools.ts'

const REQUIREMENTS = join(projectRoot, 'packages', 'testkit', 'src', 'lake', 'requirements.txt')
const EXTENSIONS_SCRIPT = join(
  projectRoot,
  'packages',
  'testkit',
  'src',
  'lake',
  'install_duckdb_extensions.py',
)
const MIN_PYTHON: readonly [number, number] = [3, 10] // pyiceberg 0.12 needs >= 3.10

export const venvDir = join(stackDir, 'venv')
export const venvPython = join(venvDir, 'bin', 'python')
const marker = join(venvDir, '.healthstream-requirements')
const pipCache = join(cacheDir, 'pip')

/** What the marker must hold: the requirements file and the extension installer, byte for byte. */
function expectedMarker(): string {
  return `${readFileSync(REQUIREMENTS, 'utf8')}\n# install_duckdb_extensions.py\n${readFileSync(EXTENSIONS_SCRIPT, 'utf8')}`
}

/** True when the venv was completely built from the current requirements. */
export function pythonReadersInstalled(): boolean {
  if (!existsSync(venvPython) || !existsSync(marker)) return false
  return readFileSync(marker, 'utf8') === expectedMarker()
}

/** The interpreter that creates the venv: HEALTHSTREAM_PYTHON, else python3 on PATH. */
export function basePython(): string {
  const command = process.env.HEALTHSTREAM_PYTHON ?? 'python3'
  const python = requireTool(
    command,
    'the lake readers need Python >= 3.10 with venv (Debian/Ubuntu: apt-get install python3 python3-venv); ' +
      'set HEALTHSTREAM_PYTHON to use another interpreter',
  )
  const probe = spawnSync(
    python,
    ['-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'],
    { encoding: 'utf8' },
  )
  if (probe.status !== 0) {
    throw new Error(
      `${python} cannot create virtualenvs (no venv/ensurepip module): ` +
        `install python3-venv (Debian/Ubuntu: apt-get install python3-venv)\n${probe.stderr.trim()}`,
    )
  }
  const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number)
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new Error(
      `${python} is Python ${major}.${minor}; the lake readers need >= ${MIN_PYTHON.join('.')} ` +
        '(set HEALTHSTREAM_PYTHON to a newer interpreter)',
    )
  }
  return python
}

/**
 * Creates or refreshes the readers' venv when the requirements changed; returns its python.
 * A half-built venv (no marker) is removed and built again from scratch.
 */
export async function ensurePythonReaders(): Promise<string> {
  if (pythonReadersInstalled()) return venvPython
  const python = basePython()
  const t0 = Date.now()
  console.error(`python: building the lake readers' venv in ${venvDir} (first run or new requirements)`)
  rmSync(venvDir, { recursive: true, force: true })
  run(python, ['-m', 'venv', venvDir])
  const pipEnv = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }
  // pip compiles the bytecode now (~10 s): without it every reader start recompiles pyiceberg and
  // friends where PYTHONDONTWRITEBYTECODE is set, 1-2 s each time.
  run(venvPython, ['-m', 'pip', 'install', '--quiet', '--cache-dir', pipCache, '-r', REQUIREMENTS], {
    env: pipEnv,
  })
  run(venvPython, [EXTENSIONS_SCRIPT], { env: { PYTHONDONTWRITEBYTECODE: '1' } })
  writeFileSync(marker, expectedMarker())
  console.error(`python: venv built (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
  return venvPython
}

/** What tests need to find the readers. */
export function pythonReadersEnv(): Record<string, string> {
  return { LAKE_PYTHON: venvPython }
}
