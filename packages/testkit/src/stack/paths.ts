/** Where the repository is, for tests that start its services and tools. */
import { resolve } from 'node:path'

/** The repository root (this file is packages/testkit/src/stack/paths.ts). */
export const projectRoot = resolve(import.meta.dirname, '..', '..', '..', '..')
