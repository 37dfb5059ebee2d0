import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OptionError, parseOptions } from '../src/options.ts'

const env = {
  KAFKA_BROKERS: '127.0.0.1:19092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18080/apis/ccompat/v7',
}
const NOW = Date.parse('2026-11-25T12:00:00Z')
const parse = (...argv: string[]) => parseOptions(argv, env, NOW)!

describe('simulator command line', () => {
  it('takes endpoints from the environment and sensible defaults', () => {
    const o = parse()
    assert.deepEqual(
      [o.brokers, o.registryUrl, o.topic, o.users, o.samples, o.rate],
      [['127.0.0.1:19092'], env.SCHEMA_REGISTRY_URL, 'health-data-raw', 100, 100_000, 0],
    )
    assert.equal(o.start, NOW)
  })

  it('reads every flag', () => {
    const o = parse(
      ...['--users', '7', '--samples', '1_000_000', '--rate', '5000', '--duration', '90s', '--seed', '9'],
      ...['--v2-share', '0.25', '--invalid-share', '0.1', '--duplicate-share', '0.2', '--late-share', '0.3'],
      ...['--out-of-order-share', '0.4', '--truth', 't.ndjson', '--start', '2026-11-20T00:00:00Z', '--quiet'],
      ...[
        '--brokers',
        'a:1,b:2',
        '--registry',
        'http://r',
        '--topic',
        'x',
        '--compression',
        'none',
        '--max-batch',
        '50',
      ],
    )
    assert.deepEqual(
      [
        o.users,
        o.samples,
        o.rate,
        o.durationMs,
        o.seed,
        o.v2Share,
        o.invalidShare,
        o.duplicateShare,
        o.lateShare,
      ],
      [7, 1_000_000, 5000, 90_000, 9, 0.25, 0.1, 0.2, 0.3],
    )
    assert.deepEqual(
      [o.outOfOrderShare, o.truthPath, o.start, o.progress, o.brokers, o.registryUrl, o.topic, o.compression],
      [0.4, 't.ndjson', Date.parse('2026-11-20T00:00:00Z'), false, ['a:1', 'b:2'], 'http://r', 'x', 'none'],
    )
    assert.equal(o.maxBatchSamples, 50)
  })

  it('runs for a duration without a sample limit when only --duration is given', () => {
    const o = parse('--duration', '2m')
    assert.deepEqual([o.durationMs, o.samples], [120_000, undefined])
  })

  it('retries failed sends for two minutes unless --retry-for says otherwise', () => {
    assert.equal(parse().retryForMs, 120_000)
    assert.equal(parse('--retry-for', '5s').retryForMs, 5_000)
    assert.throws(() => parse('--retry-for', 'soon'), /--retry-for/)
  })

  it("takes the users' zones as a list and leaves them to the seed by default", () => {
    assert.equal(parse().zones, undefined)
    assert.deepEqual(parse('--zones', 'Europe/Berlin, Asia/Kolkata').zones, ['Europe/Berlin', 'Asia/Kolkata'])
  })

  it('accepts a start relative to now', () => {
    assert.equal(parse('--start', 'now-2d').start, NOW - 2 * 86_400_000)
    assert.equal(parse('--start=-12h').start, NOW - 12 * 3_600_000)
  })

  const bad: [string[], RegExp][] = [
    [['--users', '0'], /--users/],
    [['--samples', 'many'], /--samples/],
    [['--rate', '-1'], /--rate/],
    [['--invalid-share', '1.5'], /--invalid-share/],
    [['--duration', 'soon'], /--duration/],
    [['--start', '2026-11-20T00:00:00'], /--start/],
    [['--compression', 'gzip'], /--compression/],
    [['--seed', '1.5'], /--seed/],
    [['--zones', 'Europe/Berlin,Mars/Olympus'], /--zones.*Mars\/Olympus/],
    [['--frobnicate'], /--frobnicate/],
  ]
  for (const [argv, flag] of bad) {
    it(`rejects ${argv.join(' ')} naming the flag`, () => {
      assert.throws(
        () => parse(...argv),
        (error: Error) => error instanceof OptionError && flag.test(error.message),
      )
    })
  }

  it('asks for the brokers when neither the flag nor KAFKA_BROKERS is set', () => {
    assert.throws(() => parseOptions([], {}, NOW), /--brokers is required \(or set KAFKA_BROKERS\)/)
  })

  it('returns nothing for --help', () => {
    assert.equal(parseOptions(['--help'], env, NOW), undefined)
  })
})
