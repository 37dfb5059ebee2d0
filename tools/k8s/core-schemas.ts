/**
 * Kubernetes' JSON schemas for one release, from the PyPI package kubernetes-validate (its wheel bundles
 * the strict "-local" schemas of many releases): the wheel is downloaded with pip, that release's
 * folder taken out of it with Python's zipfile, and each schema made to load offline.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { toolMissing } from '../containers/errors.ts'
import { must, which } from '../containers/exec.ts'
import { cacheDir } from '../stack/paths.ts'
import { cachedDir } from './cache.ts'
import { downloadDir, schemaDir } from './paths.ts'
import { CONVERSION_REVISION, type Json, localizeCoreSchema } from './schema-convert.ts'
import { KUBERNETES_VALIDATE_VERSION, KUBERNETES_VERSION } from './versions.ts'

const PACKAGE = 'kubernetes-validate'
const PIP_ENV = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }

/** Copies the wheel's files under `prefix` into `dest`, without the prefix. */
const EXTRACT = `
import os, sys, zipfile
wheel, prefix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and not n.endswith('/')]
    if not names:
        sys.exit('no files under ' + prefix + ' in ' + wheel)
    for name in names:
        with open(os.path.join(dest, name[len(prefix):]), 'wb') as out:
            out.write(z.read(name))
`

function requirePython(): string {
  const python = which('python3')
  if (python === undefined) {
    throw toolMissing(
      'python3',
      `install Python 3 with pip: the Kubernetes schemas come from PyPI's ${PACKAGE}`,
    )
  }
  return python
}

/** The kubernetes-validate wheel, downloaded once (pip's HTTP cache is the stack's, under the cache's pip/). */
function wheel(python: string): string {
  const path = join(downloadDir, `kubernetes_validate-${KUBERNETES_VALIDATE_VERSION}-py3-none-any.whl`)
  if (existsSync(path)) return path
  const requirement = `${PACKAGE}==${KUBERNETES_VALIDATE_VERSION}`
  const options = [
    '--no-deps',
    '--only-binary=:all:',
    '--cache-dir',
    join(cacheDir, 'pip'),
    '--dest',
    downloadDir,
  ]
  must('DOWNLOAD_FAILED', python, ['-m', 'pip', 'download', ...options, requirement], { env: PIP_ENV })
  return path
}

/** The folder of strict schemas of `KUBERNETES_VERSION`, named `{kind}-{group}-{version}.json`. */
export function ensureCoreSchemas(): string {
  const name = `kubernetes-v${KUBERNETES_VERSION}-strict-r${CONVERSION_REVISION}`
  return cachedDir(
    join(schemaDir, name),
    `extracting Kubernetes ${KUBERNETES_VERSION} schemas (${PACKAGE})`,
    (out) => {
      const python = requirePython()
      const prefix = `kubernetes_validate/kubernetes-json-schema/v${KUBERNETES_VERSION}-local-strict/`
      must('DOWNLOAD_FAILED', python, ['-c', EXTRACT, wheel(python), prefix, out])
      for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
        const schema = JSON.parse(readFileSync(join(out, file), 'utf8')) as Json
        writeFileSync(join(out, file), JSON.stringify(localizeCoreSchema(schema)))
      }
    },
  )
}
