import type { OpsCommand } from '../command.ts'

/** Every operator command, in the order `npm run ops -- --help` lists them. */
export const COMMANDS: readonly OpsCommand[] = []
