import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BackgroundTask } from '../src/background-task.ts'

describe('a background task', () => {
  it('runs one task at a time and tells when it has ended', async () => {
    const task = new BackgroundTask()
    let release = (): void => undefined
    const ended = task.start(() => new Promise<void>((r) => (release = r)))
    assert.equal(task.running, true)
    assert.throws(() => task.start(async () => undefined), /already running/)
    release()
    await ended
    assert.equal(task.running, false)
    assert.equal(task.failed, false)
    task.throwFailed()
  })

  it('keeps a failure until asked, then forgets it', async () => {
    const task = new BackgroundTask()
    const error = new Error('fenced')
    await task.start(async () => {
      throw error
    })
    assert.equal(task.failed, true)
    await task.settled()
    assert.throws(
      () => task.throwFailed(),
      (e) => e === error,
    )
    assert.equal(task.failed, false)
    task.throwFailed()
  })
})
