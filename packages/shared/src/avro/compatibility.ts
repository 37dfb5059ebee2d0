import type { Type } from 'avsc'
import avsc from 'avsc'
import type { CompatibilityLevel } from './registry.ts'

/** Parses Avro schema text into an avsc type (a fresh name registry per schema, so versions never clash). */
export function parseSchema(schema: string): Type {
  return avsc.Type.forSchema(JSON.parse(schema))
}

/** Whether data written with `writer` can be read with `reader` under Avro's resolution rules. */
export function canRead(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer)
    return true
  } catch {
    return false
  }
}

/**
 * The registry's compatibility rule as a pure function: may `candidate` follow `previous`
 * (oldest first) under `level`? Non-transitive levels look at the latest version only.
 */
export function isCompatible(candidate: Type, previous: readonly Type[], level: CompatibilityLevel): boolean {
  if (level === 'NONE' || previous.length === 0) return true
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1)
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL')
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL')
  return against.every(
    (old) => (!backward || canRead(candidate, old)) && (!forward || canRead(old, candidate)),
  )
}
