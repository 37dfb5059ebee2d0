/**
 * `npm run ops -- <command> [options]`: the operator's commands against running services.
 * Each command lives in its own file under `commands/` and is listed in `commands/index.ts`.
 */

import { UsageError } from './command.ts'
import { COMMANDS } from './commands/index.ts'

function usage(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`)
  return `usage: npm run ops -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'npm run ops -- <command> --help' shows a command's options.`
}

export async function main(argv: readonly string[], env = process.env): Promise<number> {
  const [name, ...args] = argv
  const command = COMMANDS.find((c) => c.name === name)
  if (command === undefined) {
    console.error(
      name === undefined || name === '--help'
        ? usage()
        : `unknown command ${JSON.stringify(name)}\n\n${usage()}`,
    )
    return name === '--help' ? 0 : 2
  }
  if (args.includes('--help')) {
    console.log(command.usage)
    return 0
  }
  try {
    return await command.run(args, env, (line) => console.log(line))
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.usage}`)
      return 2
    }
    console.error(`ops ${name}: ${(error as Error).message}`)
    return 1
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
