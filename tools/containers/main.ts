/**
 * The container toolchain from the command line:
 *   bash tools/node.sh tools/containers/main.ts up | status | env | down
 * `up` installs podman (+runc) and mmdebstrap, builds the node:24-slim base image and docker-compose
 * into ~/.cache/healthstream/containers and starts podman's Docker API socket; `env` prints what
 * clients need (eval "$(… env)"); `down` stops the API socket. `health-driver` is internal.
 */
import { ToolchainError } from './errors.ts'
import { runHealthDriver } from './health-driver.ts'
import { socketPath } from './paths.ts'
import { down, status, toolchainEnv, up } from './toolchain.ts'

const USAGE = 'usage: main.ts up | status | env | down'

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const start = performance.now()
      await up((line) => console.error(`containers: ${line}`))
      console.error(`containers: up in ${Math.round((performance.now() - start) / 100) / 10} s`)
      for (const [key, value] of Object.entries(toolchainEnv())) console.log(`${key}=${value}`)
      return 0
    }
    case 'status': {
      const { ok, lines } = await status()
      for (const line of lines) console.log(line)
      return ok ? 0 : 1
    }
    case 'env':
      for (const [key, value] of Object.entries(toolchainEnv())) console.log(`export ${key}=${value}`)
      return 0
    case 'down': {
      const stopped = await down()
      console.error(
        `containers: ${stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing was running'}`,
      )
      return 0
    }
    case 'health-driver': {
      const controller = new AbortController()
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort())
      await runHealthDriver(socketPath, controller.signal)
      return 0
    }
    default:
      console.error(USAGE)
      return 2
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code =
      error instanceof ToolchainError ? ` [${error.code}${error.canRetry ? ', can retry' : ''}]` : ''
    console.error(`containers: ${(error as Error).message}${code}`)
    process.exit(1)
  },
)
