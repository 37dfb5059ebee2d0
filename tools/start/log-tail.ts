import { closeSync, openSync, readSync, statSync } from 'node:fs'

const TAIL_BYTES = 8192
const MAX_CHARS = 240

/** An error's first line (`KafkaLoopError: …`) or a JSON log line at level error or fatal. */
const ERROR_LINE = /\b[A-Z]\w*Error\b:|"level":"(error|fatal)"/

/**
 * What a process said last before it exited: its last error line, else its last line that is not blank
 * and not a stack frame, cut to one screen line. The status screen shows it next to "exited with code".
 */
export function lastWords(output: string): string | undefined {
  const lines = output.split('\n').filter((l) => l.trim() !== '' && !/^\s+at\s/.test(l))
  const last = (lines.findLast((l) => ERROR_LINE.test(l)) ?? lines.at(-1))?.trim()
  if (last === undefined) return undefined
  return last.length > MAX_CHARS ? `${last.slice(0, MAX_CHARS - 1)}…` : last
}

/**
 * `lastWords` of a log file's last 8 KiB written after byte `from` (the size the log had when the
 * process started: the log is appended to across runs); undefined when the file cannot be read.
 */
export function lastWordsOfLog(path: string, from = 0): string | undefined {
  try {
    const size = statSync(path).size
    const length = Math.max(0, Math.min(size - from, TAIL_BYTES))
    const buffer = Buffer.alloc(length)
    const fd = openSync(path, 'r')
    try {
      readSync(fd, buffer, 0, length, size - length)
    } finally {
      closeSync(fd)
    }
    return lastWords(buffer.toString('utf8'))
  } catch {
    return undefined
  }
}
