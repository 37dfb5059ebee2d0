/**
 * Spark with the Iceberg runtime as a stack entry: a tool, not a process. `up` installs pyspark and
 * the jars into the cache (tools/stack/spark.ts), `status` says whether they are there, `down`
 * leaves them, `env` prints LAKE_SPARK_PYTHON, LAKE_SPARK_JARS and LAKE_SPARK_JAVA_HOME.
 */
import type { StackServer } from '../server.ts'
import { ensureSpark, PYSPARK_VERSION, sparkEnv, sparkInstalled } from '../spark.ts'

export const spark: StackServer = {
  name: 'spark',
  kind: 'tool',
  ports: [],

  async install() {
    const { jars } = ensureSpark()
    console.error(`spark: pyspark ${PYSPARK_VERSION} ready with ${jars.length} jars`)
  },

  async prepare() {
    throw new Error('spark: a tool, not a server; there is nothing to launch')
  },

  async ready() {
    if (sparkInstalled() === undefined) {
      throw new Error(`pyspark ${PYSPARK_VERSION} or its jars are missing: run 'npm run stack -- up spark'`)
    }
  },

  env() {
    return sparkEnv()
  },
}
