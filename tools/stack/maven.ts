/**
 * Fetches Maven Central artifacts into the cache with the machine's `mvn`, so the user's
 * settings.xml (mirrors, proxies) and ~/.m2 are honoured. Each fetch fills one cache folder and
 * writes a marker file last; a folder with a matching marker is reused without running Maven.
 */

import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { cacheDir } from './paths.ts'
import { requireTool, run } from './tools.ts'

/** Pinned so a machine without a pom never resolves the plugin version by guessing. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1'
const MARKER = '.healthstream-complete'
// -U: re-check artifacts a failed earlier attempt (say, offline) left marked missing in ~/.m2.
const MVN_FLAGS = ['-q', '-B', '-U']

/** `groupId:artifactId:version[:type[:classifier]]`, as Maven's `-Dartifact` takes it. */
export type Coordinate = string

export const mavenCacheDir = (key: string): string => join(cacheDir, 'maven', key)

/** Feature release of the JDK at `home` (from its `release` file, so no JVM start), or 0. */
function javaMajor(home: string): number {
  try {
    const match = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(join(home, 'release'), 'utf8'))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

/**
 * Path of a `java` binary of at least `minMajor` (and at most `maxMajor`): JAVA_HOME, then the one
 * on PATH, then any JDK under /usr/lib/jvm (where Debian and Temurin packages install side by side).
 */
export function findJava(minMajor: number, maxMajor = Number.POSITIVE_INFINITY): string {
  const range = maxMajor === Number.POSITIVE_INFINITY ? `${minMajor}+` : `${minMajor} to ${maxMajor}`
  const hint = `install a JDK ${range} (e.g. apt-get install openjdk-${minMajor}-jdk-headless) or set JAVA_HOME to one`
  const homes = [process.env.JAVA_HOME ?? '']
  try {
    homes.push(dirname(dirname(realpathSync(requireTool('java', hint)))))
  } catch {
    // not on PATH: JAVA_HOME or /usr/lib/jvm may still have one
  }
  if (existsSync('/usr/lib/jvm'))
    homes.push(...readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d)))
  for (const home of homes) {
    const major = home === '' ? 0 : javaMajor(home)
    if (existsSync(join(home, 'bin', 'java')) && major >= minMajor && major <= maxMajor)
      return join(home, 'bin', 'java')
  }
  requireTool('java', hint) // the plain "'java' is missing" message when there is none at all
  throw new Error(`Java ${range} is needed but none was found (JAVA_HOME, PATH, /usr/lib/jvm): ${hint}`)
}

/**
 * Runs Maven quietly (`-q` still prints colour resets); on failure the error carries the tail of
 * its output, which names the artifact that could not be resolved.
 */
function mvn(args: readonly string[], cwd?: string): void {
  const result = spawnSync(requireMaven(), [...MVN_FLAGS, ...args], { cwd, encoding: 'utf8' })
  if (result.status === 0) return
  const output = stripVTControlCharacters(
    `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  )
    .split('\n')
    .map((line) => line.replace(/ -> \[Help \d+\]$/, '').trimEnd())
    .filter(
      (line) => !/^(\[ERROR\])?\s*$/.test(line) && !/^\[ERROR\] (To see|Re-run|For more|\[Help)/.test(line),
    )
  throw new Error(`mvn ${args.join(' ')} failed:\n${output.slice(-15).join('\n')}`)
}

function requireMaven(): string {
  findJava(17)
  return requireTool('mvn', 'install Apache Maven 3.6+ (e.g. apt-get install maven); it downloads the jars')
}

/** True when `dir` was completed for exactly this request. */
function cached(dir: string, spec: string): boolean {
  const marker = join(dir, MARKER)
  return existsSync(marker) && readFileSync(marker, 'utf8') === spec
}

/**
 * Fills the cache folder `dir` via `fill(partialDir)` unless it was completed for the same `spec`,
 * and publishes it with a rename, so an interrupted download or build never looks complete.
 */
export function fillOnce(dir: string, spec: string, fill: (partial: string) => void): string {
  if (cached(dir, spec)) return dir
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  try {
    fill(partial)
  } catch (error) {
    rmSync(partial, { recursive: true, force: true })
    throw error
  }
  writeFileSync(join(partial, MARKER), spec)
  rmSync(dir, { recursive: true, force: true })
  renameSync(partial, dir)
  return dir
}

function parse(coordinate: Coordinate): {
  group: string
  artifact: string
  version: string
  type?: string
  classifier?: string
} {
  const [group, artifact, version, type, classifier] = coordinate.split(':')
  if (!group || !artifact || !version) throw new Error(`bad Maven coordinate '${coordinate}'`)
  return { group, artifact, version, type, classifier }
}

function dependencyXml(coordinate: Coordinate): string {
  const c = parse(coordinate)
  return [
    '    <dependency>',
    `      <groupId>${c.group}</groupId><artifactId>${c.artifact}</artifactId><version>${c.version}</version>`,
    c.type ? `      <type>${c.type}</type>` : '',
    c.classifier ? `      <classifier>${c.classifier}</classifier>` : '',
    '    </dependency>',
  ]
    .filter((line) => line !== '')
    .join('\n')
}

/**
 * The given artifacts and all their runtime dependencies, as jar files in one folder
 * (`java -cp '<dir>/*'`). Returns the folder.
 */
export function mavenClasspath(key: string, coordinates: readonly Coordinate[]): string {
  const dir = mavenCacheDir(key)
  return fillOnce(dir, coordinates.join('\n'), (partial) => {
    console.error(`maven: fetching ${coordinates.join(' ')} with dependencies (first run only)`)
    const work = join(partial, '.pom')
    mkdirSync(work)
    writeFileSync(
      join(work, 'pom.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>healthstream.stack</groupId>
  <artifactId>${key}</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${coordinates.map(dependencyXml).join('\n')}
  </dependencies>
</project>
`,
    )
    mvn([
      '-f',
      join(work, 'pom.xml'),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ])
    rmSync(work, { recursive: true })
  })
}

/**
 * One artifact without dependencies (a shadow jar, a distribution archive). Returns the path of
 * the file in the cache.
 */
export function mavenArtifact(key: string, coordinate: Coordinate): string {
  const c = parse(coordinate)
  const file = `${c.artifact}-${c.version}${c.classifier ? `-${c.classifier}` : ''}.${c.type ?? 'jar'}`
  const dir = fillOnce(mavenCacheDir(key), coordinate, (partial) => {
    console.error(`maven: fetching ${coordinate} (first run only)`)
    // cwd: away from any pom.xml in the caller's directory, which Maven would load.
    mvn([`${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${coordinate}`, `-DoutputDirectory=${partial}`], partial)
  })
  return join(dir, file)
}

/**
 * A distribution archive (`type` zip or tar.gz) unpacked into its own cache folder; the archive
 * itself is not kept. Returns the folder.
 */
export function mavenUnpacked(key: string, coordinate: Coordinate): string {
  const { type } = parse(coordinate)
  return fillOnce(mavenCacheDir(key), `unpacked ${coordinate}`, (partial) => {
    const archive = mavenArtifact(`${key}.archive`, coordinate)
    if (type === 'zip') run(requireTool('unzip', 'install unzip'), ['-q', archive, '-d', partial])
    else run(requireTool('tar', 'install tar'), ['-xzf', archive, '-C', partial])
    rmSync(dirname(archive), { recursive: true })
  })
}
