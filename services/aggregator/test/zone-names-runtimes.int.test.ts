/**
 * The windows' zone names on Bun and Deno: each runtime names zones its own way (ICU on Node.js and
 * Deno answers Asia/Kolkata with Asia/Calcutta, Bun keeps what it is given), and the zone is part of a
 * window's key: an aggregator moved to another runtime must name every zone as Node.js does.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { endpoint } from '@healthstream/testkit/stack'
import { canonicalZone } from '../src/windows/zones.ts'
import { ALL_ZONE_NAMES } from './support/zone-names.ts'

const script = join(import.meta.dirname, 'support', 'print-zone-names.ts')
const RUNTIMES: [string, () => string[]][] = [
  ['Bun', () => [endpoint('BUN_BIN'), script]],
  ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all', script]],
]

describe("the windows' zone names on other runtimes", () => {
  const onNode = Object.fromEntries(ALL_ZONE_NAMES.map((n) => [n, canonicalZone(n) ?? null]))
  for (const [name, command] of RUNTIMES)
    it(`are Node.js's on ${name}, for every zone and link name`, () => {
      const [bin, ...args] = command()
      const run = spawnSync(bin!, args, { input: JSON.stringify(ALL_ZONE_NAMES), encoding: 'utf8' })
      assert.equal(run.status, 0, run.stderr)
      const there = JSON.parse(run.stdout) as Record<string, string | null>
      const differ = ALL_ZONE_NAMES.filter((n) => there[n] !== onNode[n]).map(
        (n) => `${n}: ${there[n]} (Node.js: ${onNode[n]})`,
      )
      assert.deepEqual(differ, [])
    })
})
