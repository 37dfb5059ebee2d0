/**
 * Apache Spark with the Iceberg Spark runtime: the third independent lake reader and maintainer
 * (beside pyiceberg and DuckDB). Spark comes from PyPI (`pyspark`, which carries Spark's jars) in a
 * virtualenv of its own in the cache, one per pyspark version and base interpreter, so checkouts and
 * CI clones share it and a change to the readers' requirements never reinstalls Spark. The Iceberg
 * runtime, the JDBC drivers and the AWS bundle (S3FileIO) come from Maven Central into the cache;
 * Spark gets them as local jars and never downloads anything itself.
 *
 * Tests reach it through LAKE_SPARK_PYTHON, LAKE_SPARK_JARS and LAKE_SPARK_JAVA_HOME
 * (packages/testkit/src/lake/spark.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fillOnce, findJava, mavenArtifact, mavenCacheDir } from './maven.ts'
import { cacheDir } from './paths.ts'
import { basePython } from './python.ts'
import { run } from './tools.ts'

/** The newest Spark 3.5 on PyPI; its jars are Scala 2.12, which the Iceberg runtime must match. */
export const PYSPARK_VERSION = '3.5.9'
/** Iceberg 1.10.x: the runtime has 1.10.2; the AWS bundle stops at 1.10.1 (only the AWS SDK inside). */
const ICEBERG_VERSION = '1.10.2'
const AWS_BUNDLE_VERSION = '1.10.1'
/**
 * Spark 3.5 runs on Java 17 (and 21); on Java 23+ (the registry's Java 25, say) Hadoop's login fails
 * with "getSubject is not supported" before Spark starts.
 */
const JAVA_RANGE: readonly [number, number] = [17, 21]

/**
 * Jars on Spark's class path (`spark.jars`), each one artifact without its dependencies: the runtime
 * and the bundle are shaded, and Spark already has what the JDBC drivers need (slf4j).
 */
const JARS: readonly string[] = [
  `org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:${ICEBERG_VERSION}`,
  `org.apache.iceberg:iceberg-aws-bundle:${AWS_BUNDLE_VERSION}`, // S3FileIO's AWS SDK
  'org.xerial:sqlite-jdbc:3.54.1.0',
  'org.postgresql:postgresql:42.7.14',
]

const jarKey = (coordinate: string): string => coordinate.split(':').slice(1).join('-')
const jarPath = (coordinate: string): string => {
  const [, artifact, version] = coordinate.split(':')
  return join(mavenCacheDir(jarKey(coordinate)), `${artifact}-${version}.jar`)
}

/** Python major.minor and the interpreter's real path, which the venv is bound to. */
function baseInterpreter(): { python: string; version: string } {
  const python = basePython()
  const probe = spawnSync(
    python,
    ['-c', 'import os, sys; print("%d.%d" % sys.version_info[:2]); print(os.path.realpath(sys.executable))'],
    { encoding: 'utf8' },
  )
  const [version = '0.0', real = python] = probe.stdout.trim().split('\n')
  return { python: real, version }
}

/** `<cache>/spark/pyspark-<version>-py<major.minor>`: one venv per Spark version and base Python. */
function venvFor(version: string): string {
  return join(cacheDir, 'spark', `pyspark-${PYSPARK_VERSION}-py${version}`)
}

/** The installed venv for the interpreter python3 (or HEALTHSTREAM_PYTHON) is now, if complete. */
function findVenv(): string | undefined {
  try {
    const dir = venvFor(baseInterpreter().version)
    // fillOnce publishes the folder only once it is complete
    return existsSync(join(dir, 'bin', 'python')) ? dir : undefined
  } catch {
    return undefined // no usable base Python: nothing can be installed either
  }
}

/** The paths the tests need, or undefined while something is missing. */
export function sparkInstalled(): { python: string; jars: string[]; javaHome: string } | undefined {
  const venv = findVenv()
  if (venv === undefined) return undefined
  const jars = JARS.map(jarPath)
  if (!jars.every((jar) => existsSync(jar))) return undefined
  let java: string
  try {
    java = findJava(...JAVA_RANGE)
  } catch {
    return undefined
  }
  return { python: join(venv, 'bin', 'python'), jars, javaHome: dirname(dirname(java)) }
}

/**
 * Installs what is missing: the pyspark venv (pip, wheels cached in `<cache>/pip`) and the jars
 * (Maven, cached per artifact). Fast when everything is there.
 */
export function ensureSpark(): { python: string; jars: string[]; javaHome: string } {
  const java = findJava(...JAVA_RANGE) // fail before a 400 MB download when Spark could not run
  const { python, version } = baseInterpreter()
  const venv = fillOnce(venvFor(version), `pyspark==${PYSPARK_VERSION} on ${python}`, (partial) => {
    const t0 = Date.now()
    console.error(`spark: installing pyspark ${PYSPARK_VERSION} into ${venvFor(version)} (first run only)`)
    run(python, ['-m', 'venv', partial])
    run(
      join(partial, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--cache-dir',
        join(cacheDir, 'pip'),
        `pyspark==${PYSPARK_VERSION}`,
      ],
      { env: { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' } },
    )
    console.error(`spark: pyspark installed (${((Date.now() - t0) / 1000).toFixed(1)}s)`)
  })
  const jars = JARS.map((coordinate) => mavenArtifact(jarKey(coordinate), coordinate))
  return { python: join(venv, 'bin', 'python'), jars, javaHome: dirname(dirname(java)) }
}

/** What tests need to find Spark; empty while it is not installed. */
export function sparkEnv(): Record<string, string> {
  const found = sparkInstalled()
  if (found === undefined) return {}
  return {
    LAKE_SPARK_PYTHON: found.python,
    LAKE_SPARK_JARS: found.jars.join(','),
    LAKE_SPARK_JAVA_HOME: found.javaHome,
  }
}
