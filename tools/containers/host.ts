/**
 * The host side: Debian packages that run containers (podman with runc, netavark + iptables and
 * aardvark-dns for networks with DNS, catatonit for `--init`), build root filesystems (mmdebstrap) and a static
 * busybox for the smallest possible smoke image. Installed once with apt-get as root.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { podmanEnv } from './conf.ts'
import { ToolchainError, toolMissing } from './errors.ts'
import { capture, must } from './exec.ts'

/** Debian packages the toolchain needs on the host. */
export const HOST_PACKAGES = [
  'podman',
  'runc',
  'netavark',
  'iptables', // netavark's firewall driver; without it every run fails "netavark: No such file or directory"
  'aardvark-dns',
  'catatonit',
  'uidmap',
  'mmdebstrap',
  'busybox-static',
] as const

/** The tiny image `verifyPodman` runs: a static busybox, imported from the host's package. */
export const PROBE_IMAGE = 'localhost/healthstream/probe:busybox'

/** Packages from HOST_PACKAGES that dpkg does not list as installed. */
export function missingPackages(): string[] {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const result = capture('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...HOST_PACKAGES])
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  )
  return HOST_PACKAGES.filter((name) => !installed.has(name))
}

/** apt-get install of whatever is missing; returns what was installed. Needs root. */
export function ensureHostPackages(): string[] {
  const missing = missingPackages()
  if (missing.length === 0) return []
  if (process.getuid?.() !== 0) {
    throw toolMissing(missing.join(', '), `run as root, or: sudo apt-get install ${missing.join(' ')}`)
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  must('INSTALL_FAILED', 'apt-get', ['update', '-qq'], { env })
  must('INSTALL_FAILED', 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env })
  return missing
}

/**
 * A bridge left by podman's older CNI backend (`cni-podman0`, same 10.88.0.0/16 subnet as netavark's
 * `podman0`) shadows netavark's route: published ports answer "No route to host". Returns a warning.
 */
export function staleCniBridge(): string | undefined {
  if (!existsSync('/sys/class/net/cni-podman0')) return undefined
  return 'a stale CNI bridge cni-podman0 shadows netavark\'s 10.88.0.0/16 route (published ports fail with "No route to host"); remove it: ip link delete cni-podman0'
}

/** Imports the busybox probe image when absent. */
export function ensureProbeImage(): void {
  const env = podmanEnv()
  if (capture('podman', ['image', 'exists', PROBE_IMAGE], { env }).status === 0) return
  const busybox = '/bin/busybox'
  if (!existsSync(busybox)) throw toolMissing(busybox, 'apt-get install busybox-static')
  const dir = mkdtempSync(join(tmpdir(), 'hs-probe-'))
  try {
    mkdirSync(join(dir, 'root', 'bin'), { recursive: true })
    copyFileSync(busybox, join(dir, 'root', 'bin', 'busybox'))
    for (const applet of ['sh', 'echo', 'id', 'true'])
      symlinkSync('busybox', join(dir, 'root', 'bin', applet))
    must('BUILD_FAILED', 'tar', ['-C', join(dir, 'root'), '-cf', join(dir, 'probe.tar'), '.'])
    must(
      'BUILD_FAILED',
      'podman',
      ['import', '--change', 'CMD ["/bin/sh"]', join(dir, 'probe.tar'), PROBE_IMAGE],
      {
        env,
      },
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `podman run --rm` of the probe image; throws RUN_FAILED with podman's own words. */
export function verifyPodman(): void {
  ensureProbeImage()
  const result = capture('podman', ['run', '--rm', PROBE_IMAGE, '/bin/echo', 'podman-ok'], {
    env: podmanEnv(),
  })
  if (result.status !== 0 || !result.stdout.includes('podman-ok')) {
    throw new ToolchainError('RUN_FAILED', `podman run --rm ${PROBE_IMAGE} failed: ${result.stderr.trim()}`)
  }
}
