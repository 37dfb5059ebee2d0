// Reads zone names (a JSON list) from stdin, prints each one's canonical name as this runtime gives it.
import { readFileSync } from 'node:fs'
import { canonicalZone } from '../../src/windows/zones.ts'

const names = JSON.parse(readFileSync(0, 'utf8')) as string[]
console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, canonicalZone(n) ?? null]))))
