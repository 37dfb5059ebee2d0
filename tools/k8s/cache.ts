/**
 * Cache entries that appear whole. Each entry (a folder: a built binary, a set of schemas) is made
 * under a name of this process's own and renamed into place, so a build that dies halfway leaves
 * nothing that looks finished, and test files that build at the same time (node --test runs them in
 * parallel) each end with a complete copy.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { secondsSince } from '../containers/exec.ts'

/** Returns `dir`, first filling it with `build(partialDir)` unless it is there already. */
export function cachedDir(dir: string, what: string, build: (partialDir: string) => void): string {
  if (existsSync(dir)) return dir
  const partial = `${dir}.partial-${process.pid}`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  const start = performance.now()
  console.error(`k8s: ${what} (first run only)`)
  try {
    build(partial)
    renameSync(partial, dir)
  } catch (error) {
    // A rename onto a finished folder fails: another process got there first, and its copy serves.
    if (!existsSync(dir)) throw error
  } finally {
    rmSync(partial, { recursive: true, force: true })
  }
  console.error(`k8s: ${what}: done in ${secondsSince(start)} s`)
  return dir
}
