/**
 * `npm run monitoring`: writes the dashboard, the alert rules and the Kubernetes kustomization from
 * tools/monitoring; `-- --check` writes nothing and fails when a committed file differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { projectRoot } from '../stack/paths.ts'
import { generatedFiles } from './files.ts'

const read = (path: string): string | undefined => {
  try {
    return readFileSync(join(projectRoot, path), 'utf8')
  } catch {
    return undefined
  }
}

const check = process.argv.includes('--check')
const stale = generatedFiles().filter((file) => read(file.path) !== file.content)
for (const file of stale) {
  if (check) {
    console.error(`${file.path} is not what tools/monitoring generates: run npm run monitoring`)
    continue
  }
  mkdirSync(dirname(join(projectRoot, file.path)), { recursive: true })
  writeFileSync(join(projectRoot, file.path), file.content)
  console.log(`wrote ${file.path}`)
}
if (stale.length === 0) console.log('monitoring files are up to date')
process.exitCode = check && stale.length > 0 ? 1 : 0
