import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** The project root (two levels above this file). */
export const projectRoot = resolve(import.meta.dirname, '..', '..')

/** Everything the local stack writes at run time: data, logs, pid files. Ignored by git. */
export const stackDir = process.env.HEALTHSTREAM_STACK_DIR ?? join(projectRoot, '.stack')

/** Downloads (jars, binaries) shared by every checkout on this machine. */
export const cacheDir = process.env.HEALTHSTREAM_CACHE ?? join(homedir(), '.cache', 'healthstream')

export const serverDir = (name: string): string => join(stackDir, name)
export const logFile = (name: string): string => join(stackDir, 'logs', `${name}.log`)
export const pidFile = (name: string): string => join(stackDir, 'pids', `${name}.pid`)

/** The simulator's command-line entry point (`npm run simulate`), which `npm start` and the benchmarks spawn. */
export const simulatorMain = join(projectRoot, 'packages', 'simulator', 'src', 'main.ts')
