import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parseArgs } from '../src/args.ts'
import { main } from '../src/index.ts'

/** Runs `fn` with console output captured. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const { log, error } = console
  console.log = (line: string) => out.push(line)
  console.error = (line: string) => err.push(line)
  try {
    return { code: await fn(), out: out.join('\n'), err: err.join('\n') }
  } finally {
    Object.assign(console, { log, error })
  }
}

describe('npm run ops', () => {
  it('lists its commands, as the README runs it', () => {
    const script = join(import.meta.dirname, '..', 'src', 'main.ts')
    const run = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /usage: npm run ops -- <command>/)
    for (const command of ['replay', 'reconcile']) assert.match(run.stderr, new RegExp(`\\n  ${command} `))
  })

  const usage: [string, string[], RegExp][] = [
    ['an unknown command', ['rewind'], /unknown command "rewind"/],
    [
      'an unknown option',
      ['replay', '--url', 'http://x', '--stages', 'validator'],
      /unknown option --stages/,
    ],
    ['an option without its value', ['replay', '--url'], /--url needs a value/],
    ['no ingest URL', ['replay', '--stage', 'validator'], /--url \(or INGEST_ADMIN_URL\) is required/],
  ]
  for (const [name, args, message] of usage)
    it(`exits 2 on ${name}`, async () => {
      const { code, err } = await captured(() => main(args, {}))
      assert.equal(code, 2)
      assert.match(err, message)
    })

  it('exits 1 naming the variables when no admin token is set', async () => {
    const { code, err } = await captured(() =>
      main(['replay', '--url', 'http://127.0.0.1:9', '--stage', 'validator'], {}),
    )
    assert.equal(code, 1)
    assert.match(err, /ADMIN_TOKEN or ADMIN_TOKEN_FILE/)
  })

  it('exits 1 saying where it got no answer', async () => {
    const env = { ADMIN_TOKEN: 'x'.repeat(20) }
    const { code, err } = await captured(() =>
      main(['replay', '--url', 'http://127.0.0.1:9', '--stage', 'validator'], env),
    )
    assert.equal(code, 1)
    assert.match(err, /POST http:\/\/127\.0\.0\.1:9\/admin\/replay: no answer/)
  })
})

describe('command-line options', () => {
  it('collect repeated values in order, take --name=value, and flags', () => {
    const parsed = parseArgs(['--stage', 'a', '--stage=b', '--json'], { values: ['stage'], flags: ['json'] })
    assert.deepEqual(parsed.values.get('stage'), ['a', 'b'])
    assert.ok(parsed.flags.has('json'))
  })
})
