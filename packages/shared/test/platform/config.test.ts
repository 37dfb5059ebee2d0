import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  bool,
  ConfigError,
  duration,
  int,
  list,
  loadConfig,
  MIN_SECRET_BITS,
  maskCredentials,
  oneOf,
  secret,
  secretBits,
  str,
  url,
} from '../../src/platform/config.ts'

const GOOD_TOKEN = 'k9X-2fQ7-pL4z-Wm8r'
const FILE_TOKEN = 'f1le-t0ken-9a8b7c6d5e'

const spec = {
  PORT: int('port', 8080, 0, 65535),
  LINGER: duration('linger', 50),
  BROKERS: list('brokers', ['127.0.0.1:9092']),
  MODE: oneOf('mode', ['a', 'b'] as const, 'a'),
  DEBUG: bool('debug', false),
  NAME: str('name', 'x'),
  REGISTRY: url('registry', 'http://localhost'),
  TOKEN: secret('admin token', 16),
}

describe('loadConfig', () => {
  it('applies defaults for every unset key and parses the set ones', () => {
    const config = loadConfig(spec, {
      TOKEN: GOOD_TOKEN,
      LINGER: '2s',
      BROKERS: 'a:1, b:2',
      DEBUG: 'yes',
    })
    assert.deepEqual(
      { ...config },
      {
        PORT: 8080,
        LINGER: 2000,
        BROKERS: ['a:1', 'b:2'],
        MODE: 'a',
        DEBUG: true,
        NAME: 'x',
        REGISTRY: 'http://localhost',
        TOKEN: GOOD_TOKEN,
      },
    )
  })

  it('returns a frozen object', () => {
    const config = loadConfig(spec, { TOKEN: GOOD_TOKEN })
    assert.ok(Object.isFrozen(config))
  })

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a port out of range', { PORT: '70000' }, /PORT="70000" is invalid: expected 0..65535/],
    ['a port that is not a number', { PORT: '80a' }, /PORT="80a" is invalid: expected an integer/],
    ['a duration without unit', { LINGER: '10' }, /LINGER="10" is invalid: expected a duration/],
    ['an unknown mode', { MODE: 'c' }, /MODE="c" is invalid: expected one of a, b/],
    ['a non-boolean', { DEBUG: 'maybe' }, /DEBUG="maybe" is invalid: expected true or false/],
    ['a malformed URL', { REGISTRY: 'not a url' }, /REGISTRY="not a url" is invalid/],
    [
      'a short token, without echoing it',
      { TOKEN: 'short' },
      /TOKEN is invalid: expected at least 16 characters/,
    ],
    ['a token of spaces', { TOKEN: ' '.repeat(16) }, /TOKEN is invalid: expected no whitespace/],
    [
      'a token of one repeated character',
      { TOKEN: 'a'.repeat(40) },
      /TOKEN is invalid: too predictable \(0 of 48 bits/,
    ],
    [
      'a token of a short pattern repeated',
      { TOKEN: 'abcd'.repeat(5) },
      /TOKEN is invalid: too predictable \(40 of 48/,
    ],
    [
      'a malformed URL, its password masked',
      { REGISTRY: 'http://u:hunter2@ bad' },
      /REGISTRY="http:\/\/u:\*\*\*@ bad" is invalid/,
    ],
  ]
  for (const [what, env, message] of bad) {
    it(`stops start-up on ${what}, naming the variable`, () => {
      assert.throws(() => loadConfig(spec, { TOKEN: GOOD_TOKEN, ...env }), message)
    })
  }

  it('names a missing required variable', () => {
    assert.throws(
      () => loadConfig(spec, {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.code, 'CONFIG_INVALID')
        assert.match(error.message, /TOKEN is required: admin token/)
        return true
      },
    )
  })

  it('reports every problem at once', () => {
    assert.throws(
      () => loadConfig(spec, { PORT: 'x', LINGER: 'y' }),
      (error: ConfigError) => error.problems.length === 3,
    )
  })

  describe('<KEY>_FILE', () => {
    const files: Record<string, string> = { '/run/secrets/token': `${FILE_TOKEN}\n`, '/run/port': '9090' }
    const readFile = (path: string): string => {
      const content = files[path]
      if (content === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' })
      return content
    }

    it('reads a value from the file a _FILE variable names, without its trailing newline', () => {
      const config = loadConfig(spec, { TOKEN_FILE: '/run/secrets/token', PORT_FILE: '/run/port' }, readFile)
      assert.equal(config.TOKEN, FILE_TOKEN)
      assert.equal(config.PORT, 9090)
    })

    const bad: [string, Record<string, string>, RegExp][] = [
      [
        'both set',
        { TOKEN: GOOD_TOKEN, TOKEN_FILE: '/run/secrets/token' },
        /set TOKEN or TOKEN_FILE, not both/,
      ],
      [
        'a missing file',
        { TOKEN_FILE: '/run/secrets/nope' },
        /TOKEN_FILE="\/run\/secrets\/nope" cannot be read: ENOENT/,
      ],
    ]
    for (const [what, env, message] of bad) {
      it(`stops start-up on ${what}, naming the variable`, () => {
        assert.throws(() => loadConfig(spec, env, readFile), message)
      })
    }

    it('never shows a secret read from a file in a message', () => {
      files['/run/secrets/short'] = 'tiny-secret'
      assert.throws(
        () => loadConfig(spec, { TOKEN_FILE: '/run/secrets/short' }, readFile),
        (error: ConfigError) =>
          !error.message.includes('tiny-secret') && /TOKEN is invalid/.test(error.message),
      )
    })
  })
})

describe('secretBits', () => {
  const cases: [string, number, number][] = [
    ['a'.repeat(32), 0, 0],
    ['ab'.repeat(16), 32, 32],
    ['0123456789abcdef', 64, 64],
    ['k9X-2fQ7-pL4z-Wm8r', 60, 75],
  ]
  for (const [value, atLeast, atMost] of cases) {
    it(`estimates ${value}`, () => {
      const bits = secretBits(value)
      assert.ok(bits >= atLeast && bits <= atMost, `${bits}`)
    })
  }

  it('lets through what openssl rand -hex 16 makes, 1000 times out of 1000', () => {
    for (let i = 0; i < 1000; i++) assert.ok(secretBits(randomBytes(16).toString('hex')) >= MIN_SECRET_BITS)
  })
})

describe('maskCredentials', () => {
  const cases: [string, string][] = [
    ['postgresql://hs:s3cret@db:5432/lake', 'postgresql://hs:***@db:5432/lake'],
    ['redis://:pw@redis:6379', 'redis://:***@redis:6379'],
    ['rediss://user:p%40ss@r:6380/0', 'rediss://user:***@r:6380/0'],
    ['http://registry:8080/apis', 'http://registry:8080/apis'],
    ['lake/catalog.db', 'lake/catalog.db'],
    ['see postgres://a:b@h/d and redis://:c@r', 'see postgres://a:***@h/d and redis://:***@r'],
    ['postgresql://hs:pa/ss@db:5432/lake', 'postgresql://hs:***@db:5432/lake'],
    ['postgresql://hs:s3cr@t@db/lake', 'postgresql://hs:***@db/lake'],
    ['postgresql://hs:a?b#c@db/lake', 'postgresql://hs:***@db/lake'],
  ]
  for (const [input, masked] of cases) {
    it(`masks ${input}`, () => assert.equal(maskCredentials(input), masked))
  }
})
