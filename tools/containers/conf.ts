/**
 * Our containers.conf. On this machine podman works only with runc, cgroupfs and no default ulimits
 * (crun fails on the hybrid cgroups; setting RLIMIT_NOFILE is refused); events go to a file because
 * there is no journald, and netavark (with aardvark-dns) gives compose services DNS names.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { containersConfPath } from './paths.ts'

/** The text of our containers.conf. Pure. */
export function containersConf(): string {
  return [
    '# Written by tools/containers (healthstream); used through CONTAINERS_CONF only.',
    '[containers]',
    'default_ulimits = []',
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    'runtime = "runc"',
    '',
    '[network]',
    'network_backend = "netavark"',
    '',
  ].join('\n')
}

/** Writes containers.conf when its text differs; returns its path. */
export function writeContainersConf(path = containersConfPath): string {
  const text = containersConf()
  let current = ''
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    // not written yet
  }
  if (current !== text) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  return path
}

/**
 * The environment every podman call of ours gets. BUILDAH_FORMAT=docker makes `podman build` write
 * Docker-format images, the only format that keeps HEALTHCHECK (OCI drops it with a warning).
 */
export function podmanEnv(path = containersConfPath): Record<string, string> {
  return { CONTAINERS_CONF: path, BUILDAH_FORMAT: 'docker' }
}
