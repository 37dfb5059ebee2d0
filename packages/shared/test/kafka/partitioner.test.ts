import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { murmur2 as clientMurmur2, defaultPartitioner } from '@platformatic/kafka'
import { keyPartitioner, murmur2 } from '../../src/kafka/partitioner.ts'

describe('the key partitioner', () => {
  it("is the client's murmur2 on every length of key, random bytes included", () => {
    for (let length = 0; length < 64; length++)
      for (let n = 0; n < 50; n++) {
        const key = randomBytes(length)
        assert.equal(murmur2(key), clientMurmur2(key), `key ${key.toString('hex')}`)
      }
  })

  it("is the client's default partitioner on the keys the pipeline writes (user ids)", () => {
    for (let i = 0; i < 5000; i++) {
      const key = Buffer.from(`user-${String(i).padStart(6, '0')}`)
      assert.equal(keyPartitioner(undefined, key), defaultPartitioner(undefined as never, key as never))
    }
  })

  it("gives Kafka's published murmur2 values and 0 without a key", () => {
    // From the Java client's UtilsTest.testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ]
    for (const [text, expected] of cases) assert.equal(murmur2(Buffer.from(text)), expected, text)
    assert.equal(keyPartitioner(undefined, null), 0)
  })
})
