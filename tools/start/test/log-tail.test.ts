import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lastWords, lastWordsOfLog } from '../log-tail.ts'

describe("a stopped process's last words", () => {
  it('are the error line above its stack trace', () => {
    const out = [
      '{"level":"info","msg":"started"}',
      'simulator: KafkaLoopError: topic health-data-raw has 4 partitions, 6 are required',
      '    at topicsNotReady (file:///x/platformatic.ts:211:13)',
      '    at async ensureTopics (file:///x/platformatic.ts:167:21) {',
      '  code: 5',
      '}',
      '',
    ].join('\n')
    assert.equal(
      lastWords(out),
      'simulator: KafkaLoopError: topic health-data-raw has 4 partitions, 6 are required',
    )
  })

  it('are the last line when none reads as an error', () => {
    assert.equal(lastWords('starting\nport 8081 is taken\n'), 'port 8081 is taken')
  })

  it('are a JSON log line as it is, cut to one screen line', () => {
    assert.equal(
      lastWords('{"level":"fatal","msg":"REDIS_URL: missing"}\n'),
      '{"level":"fatal","msg":"REDIS_URL: missing"}',
    )
    const long = lastWords(`${'x'.repeat(500)}\n`)
    assert.equal(long?.length, 240)
    assert.ok(long?.endsWith('…'))
  })

  it('are nothing for empty output or a missing log', (t) => {
    assert.equal(lastWords('\n\n'), undefined)
    const dir = mkdtempSync(join(tmpdir(), 'log-tail-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    assert.equal(lastWordsOfLog(join(dir, 'missing.log')), undefined)
    writeFileSync(join(dir, 'big.log'), `${'noise\n'.repeat(5000)}the end\n`)
    assert.equal(lastWordsOfLog(join(dir, 'big.log')), 'the end')
    writeFileSync(join(dir, 'earlier.log'), 'Error: of an earlier run\n')
    assert.equal(lastWordsOfLog(join(dir, 'earlier.log'), 25), undefined, 'only what this run wrote')
  })
})
