/** @healthstream/ops: the operator's commands, for `npm run ops` and for tests. */
export { AdminCallError, type AdminTarget, adminToken, callAdmin } from './admin-client.ts'
export { type OpsCommand, UsageError } from './command.ts'
export { COMMANDS } from './commands/index.ts'
export type { ErasureReport, ErasureStep } from './erase-format.ts'
export { main } from './main.ts'
