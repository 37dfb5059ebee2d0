/**
 * The README's first command, `npm start`: the stack (already up here), the four services and the
 * simulator, one status screen, and Ctrl-C stopping everything it started. It runs on the
 * unprefixed topics and the fixed ports 8081–8084, as a user's does; its lake goes to a temporary
 * directory. Checked until the status screen shows rows committed to health_data_raw.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'

const ESC = String.fromCharCode(27)
/** The last status screen in the output (each one starts by clearing the terminal). */
const lastScreen = (out: string): string => out.slice(out.lastIndexOf(`${ESC}[2J`))

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-npm-start-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('runs the services and the simulator into the lake, and Ctrl-C stops them all', {
    timeout: 240_000,
  }, async () => {
    const child = spawn('npm', ['start'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        LAKE_WAREHOUSE: join(dir, 'warehouse'),
        LAKE_CATALOG_URI: join(dir, 'catalog.db'),
        COMMIT_INTERVAL: '2s',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: what is left of it afterwards can be found
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.length > 200_000) out = out.slice(-100_000)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(String(code ?? signal))),
    )
    try {
      const deadline = Date.now() + 180_000
      let rows = 0
      while (rows === 0) {
        assert.ok(
          Date.now() < deadline,
          `no rows in health_data_raw within 180 s; the screen:\n${lastScreen(out)}`,
        )
        assert.equal(child.exitCode, null, `npm start exited early:\n${out.slice(-3000)}`)
        const screen = lastScreen(out)
        assert.doesNotMatch(screen, /!! \S+ exited with code/)
        rows = Number(/health_data_raw\s+\d+\s+(\d+)/.exec(screen)?.[1] ?? 0)
        await new Promise((r) => setTimeout(r, 1000))
      }
      const screen = lastScreen(out)
      for (const service of ['ingest', 'validator', 'aggregator', 'lake-writer'])
        assert.match(
          screen,
          new RegExp(`^${service}\\s+\\d+`, 'm'),
          `${service} reports no counters:\n${screen}`,
        )
      process.kill(-child.pid!, 'SIGINT')
      // As at a terminal: npm itself dies of the SIGINT, start.ts stops what it started and exits 0
      assert.match(await exited, /^(0|SIGINT)$/)
      const gone = Date.now() + 30_000
      const alive = () => {
        try {
          process.kill(-child.pid!, 0)
          return true
        } catch {
          return false
        }
      }
      while (alive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 250))
      assert.equal(alive(), false, 'processes of npm start were still running 30 s after Ctrl-C')
      assert.match(out, /stopping what this started/)
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // the group is gone already
      }
    }
  })
})
