/** The process shell every hop runs in. */
export { CommittedTally } from './hop-metrics.ts'
export {
  configOrExit,
  type HopConfig,
  type HopContext,
  type HopDefinition,
  type HopParts,
  runHop,
} from './run-hop.ts'
