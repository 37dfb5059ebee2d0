import type { OpsCommand } from '../command.ts'
import { eraseCommand } from './erase.ts'
import { reconcileCommand } from './reconcile.ts'
import { replayCommand } from './replay.ts'

/** Every operator command, in the order `npm run ops -- --help` lists them. */
export const COMMANDS: readonly OpsCommand[] = [replayCommand, reconcileCommand, eraseCommand]
