import assert from 'node:assert/strict'
import { test } from 'node:test'
import { chunkReady } from '../src/simulate.ts'

test('a chunk of uploads goes when full, or in a paced run when it holds 20 ms of the rate', () => {
  const cases: [string, { records: number; bytes: number; samples: number }, number, boolean][] = [
    ['full speed waits for 400 uploads', { records: 399, bytes: 500_000, samples: 18_000 }, 0, false],
    ['full speed sends 400 uploads', { records: 400, bytes: 500_000, samples: 18_000 }, 0, true],
    ['full speed sends a megabyte', { records: 10, bytes: 1_000_000, samples: 450 }, 0, true],
    ['12 000/s sends 240 samples', { records: 5, bytes: 30_000, samples: 240 }, 12_000, true],
    ['12 000/s waits below 240 samples', { records: 5, bytes: 30_000, samples: 239 }, 12_000, false],
    ['a slow rate sends each upload', { records: 1, bytes: 3_000, samples: 45 }, 100, true],
    ['a paced run still bounds a send', { records: 400, bytes: 10_000, samples: 400 }, 1_000_000, true],
  ]
  for (const [name, chunk, rate, ready] of cases) assert.equal(chunkReady(chunk, rate), ready, name)
})
