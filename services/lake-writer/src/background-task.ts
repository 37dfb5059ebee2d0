/**
 * One task at a time beside the caller's own work: the lake loop's commit, which runs while the loop
 * reads on. The task's promise never rejects; its error is kept until the caller asks for it, so a
 * failure surfaces at a point where the caller can resync.
 */
export class BackgroundTask {
  #running: Promise<void> | undefined
  #failed: { error: unknown } | undefined

  /** True while a task runs. */
  get running(): boolean {
    return this.#running !== undefined
  }

  /** True when the last task failed and nobody has asked for its error yet. */
  get failed(): boolean {
    return this.#failed !== undefined
  }

  /** Starts `task` (none may be running); resolves when it has ended, whatever the outcome. */
  start(task: () => Promise<void>): Promise<void> {
    if (this.#running !== undefined) throw new Error('a background task is already running')
    const running = task().then(
      () => {
        this.#running = undefined
      },
      (error: unknown) => {
        this.#running = undefined
        this.#failed = { error }
      },
    )
    this.#running = running
    return running
  }

  /** Resolves once the running task, if any, has ended. */
  async settled(): Promise<void> {
    await this.#running
  }

  /** Throws the error of the last task if it failed (once: the error is then forgotten). */
  throwFailed(): void {
    const failed = this.#failed
    this.#failed = undefined
    if (failed !== undefined) throw failed.error
  }
}
