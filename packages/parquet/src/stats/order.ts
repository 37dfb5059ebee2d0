/**
 * The total order of values of one type that bounds are taken in: numbers with -0 below +0, strings
 * by code point (as their UTF-8 bytes compare, which is what readers of the bounds compare), bytes
 * unsigned.
 */
import type { PrimitiveValue } from '../schema/types.ts'

/** Negative, zero or positive as `a` sorts before, with or after `b` (both of one type). */
export function compareValues(a: PrimitiveValue, b: PrimitiveValue): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) return a < b ? -1 : 1
    return a === 0 ? Math.sign(1 / a - 1 / b) : 0
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b)
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
    return a.length - b.length
  }
  return a < b ? -1 : a > b ? 1 : 0
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // A surrogate (a code point above U+FFFF) sorts after every BMP unit, as in UTF-8.
    const sx = x >= 0xd800 && x <= 0xdfff
    const sy = y >= 0xd800 && y <= 0xdfff
    if (sx !== sy) return sx ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
