/** One operator command: `npm run ops -- <name> [options]`. */
export interface OpsCommand {
  readonly name: string
  /** One line for the usage text. */
  readonly summary: string
  /** Usage of its options, shown by `--help` and on a usage error. */
  readonly usage: string
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(
    args: readonly string[],
    env: Record<string, string | undefined>,
    out: (line: string) => void,
  ): Promise<number>
}

/** Bad command-line input: the message says what to type instead. */
export class UsageError extends Error {
  readonly code = 'OPS_USAGE'
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
