/**
 * Where the manifest checks keep their tools: built binaries and converted schemas in the machine-wide
 * cache (~/.cache/healthstream/k8s), shared by every checkout; Go's own caches are the ones the
 * container toolchain and the stack use.
 */
import { join } from 'node:path'
import { cacheDir } from '../stack/paths.ts'

/** Root of everything the manifest checks cache. */
export const k8sCache = join(cacheDir, 'k8s')

/** Built binaries, one file per tool and version (or source key). */
export const binDir = join(k8sCache, 'bin')

/** JSON schemas, one folder per source and version. */
export const schemaDir = join(k8sCache, 'schemas')

/** Downloaded packages (the kubernetes-validate wheel). */
export const downloadDir = join(k8sCache, 'downloads')
