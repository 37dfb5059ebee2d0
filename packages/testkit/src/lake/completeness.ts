/** Whether a table is complete before an instant, asked the way a downstream job asks (pyiceberg). */
import { runLakeScript, type TableRef, tableArgs } from './reader.ts'

/** The documented one-liner's answer for `before`, and the summary value it compared with. */
export interface Completeness {
  readonly complete: boolean
  readonly completeBefore: string | null
}

/**
 * Runs `complete_before.py`: `(table.current_snapshot().summary.get("healthstream.complete-before")
 * or "") >= before`, with `before` as `YYYY-MM-DDTHH:MM:SSZ`.
 */
export async function completeBefore(ref: TableRef, before: string): Promise<Completeness> {
  const { args, env } = tableArgs(ref)
  const out = await runLakeScript('complete_before.py', [...args, '--before', before], env)
  return JSON.parse(out) as Completeness
}
