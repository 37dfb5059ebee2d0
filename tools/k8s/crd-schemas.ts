/**
 * Strict JSON schemas of the custom resources the manifests use, converted from the CRDs their
 * projects publish inside their Go modules (downloaded through the module proxy): KEDA's ScaledObject,
 * TriggerAuthentication and friends, prometheus-operator's ServiceMonitor, PrometheusRule and friends.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { goModuleDir } from '../containers/compose-bin.ts'
import { ToolchainError } from '../containers/errors.ts'
import { cachedDir } from './cache.ts'
import { requireGo } from './go.ts'
import { schemaDir } from './paths.ts'
import { CONVERSION_REVISION, crdSchemaFiles, type Json } from './schema-convert.ts'
import { KEDA_VERSION, PROMETHEUS_OPERATOR_VERSION } from './versions.ts'

/** A module that ships CRD YAML files, and the folder in it that holds them. */
interface CrdSource {
  readonly name: string
  readonly module: string
  readonly version: string
  readonly folder: string
}

const CRD_SOURCES: readonly CrdSource[] = [
  { name: 'keda', module: 'github.com/kedacore/keda/v2', version: KEDA_VERSION, folder: 'config/crd/bases' },
  {
    name: 'prometheus-operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: PROMETHEUS_OPERATOR_VERSION,
    folder: 'example/prometheus-operator-crd',
  },
]

/** The CRD documents of one YAML file; a file that does not parse is the source's fault, not ours. */
function crdDocuments(file: string): Json[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) {
      throw new ToolchainError('DOWNLOAD_FAILED', `${file}: not YAML (${doc.errors[0]?.message})`)
    }
    return doc.toJS({ maxAliasCount: -1 }) as Json
  })
}

/** Writes the schemas of one source's CRDs below `out`. */
function convertSource(source: CrdSource, out: string): void {
  const folder = join(goModuleDir(requireGo(), source.module, source.version), source.folder)
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml'))
  const schemas = files.flatMap((file) => crdDocuments(join(folder, file)).flatMap(crdSchemaFiles))
  if (schemas.length === 0) {
    throw new ToolchainError(
      'DOWNLOAD_FAILED',
      `${source.module}@${source.version}: no CRDs in ${source.folder}`,
    )
  }
  for (const { path, schema } of schemas) {
    mkdirSync(dirname(join(out, path)), { recursive: true })
    writeFileSync(join(out, path), JSON.stringify(schema))
  }
}

/** The folder of CRD schemas, laid out `{group}/{kind}_{version}.json`. */
export function ensureCrdSchemas(): string {
  const name = CRD_SOURCES.map((s) => `${s.name}-${s.version}`).join('-')
  const what = `converting the CRDs of ${CRD_SOURCES.map((s) => `${s.name} ${s.version}`).join(', ')}`
  return cachedDir(join(schemaDir, `crds-${name}-r${CONVERSION_REVISION}`), what, (out) => {
    for (const source of CRD_SOURCES) convertSource(source, out)
  })
}
