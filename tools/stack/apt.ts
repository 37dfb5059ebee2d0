/**
 * Debian packages for the stack's servers (redis, postgres): installed with apt-get as root, or
 * through password-less sudo outside CI. The distro's own service that a package's postinst starts
 * is stopped and disabled: the stack runs its own instance on its own port and data folder.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { run } from './tools.ts'

/** True when `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

/** apt needs root; outside CI (not root) try password-less sudo. */
export function asRoot(args: readonly string[]): [string, string[]] {
  if (process.getuid?.() === 0) return [args[0]!, args.slice(1)]
  return ['sudo', ['-n', ...args]]
}

/** Stops and disables the distro's service `name`; failures here are harmless. */
function stopDistroService(name: string): void {
  const quiet = { stdio: 'ignore' as const }
  if (existsSync('/run/systemd/system') && onPath('systemctl')) {
    const [cmd, args] = asRoot(['systemctl', 'disable', '--now', `${name}.service`])
    spawnSync(cmd, args, quiet)
  } else if (existsSync(`/etc/init.d/${name}`)) {
    const [cmd, args] = asRoot([`/etc/init.d/${name}`, 'stop'])
    spawnSync(cmd, args, quiet)
  }
}

/**
 * `apt-get install` of `packages`, then stops the distro service `service`; throws naming the
 * server and `hint` when apt-get fails.
 */
export function aptInstall(server: string, packages: readonly string[], service: string, hint: string): void {
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  try {
    const [update, updateArgs] = asRoot(['apt-get', 'update'])
    run(update, updateArgs, { env })
    const [install, installArgs] = asRoot([
      'apt-get',
      'install',
      '-y',
      '--no-install-recommends',
      ...packages,
    ])
    run(install, installArgs, { env })
  } catch (error) {
    throw new Error(
      `${server}: could not install ${packages.join(' ')} with apt-get (${(error as Error).message}); ${hint}`,
      { cause: error },
    )
  }
  stopDistroService(service)
}
