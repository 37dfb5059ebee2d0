/**
 * The commands' option parsing: `--name value` or `--name=value`, repeatable options collected in
 * order, flags without a value. Anything unknown is a `UsageError` naming it.
 */
import { UsageError } from './command.ts'

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, readonly string[]>
  readonly flags: ReadonlySet<string>
}

export function parseArgs(
  args: readonly string[],
  spec: { readonly values: readonly string[]; readonly flags: readonly string[] },
): ParsedArgs {
  const values = new Map<string, string[]>()
  const flags = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`)
    const [name, inline] = arg.slice(2).split(/=(.*)/s) as [string, string | undefined]
    if (spec.flags.includes(name) && inline === undefined) {
      flags.add(name)
      continue
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option --${name}`)
    const value = inline ?? args[++i]
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`)
    values.set(name, [...(values.get(name) ?? []), value])
  }
  return { values, flags }
}

/** The one value of an option, or undefined; given twice is a usage error. */
export function single(parsed: ParsedArgs, name: string): string | undefined {
  const all = parsed.values.get(name)
  if (all && all.length > 1) throw new UsageError(`--${name} is given more than once`)
  return all?.[0]
}
