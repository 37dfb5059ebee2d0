/** @healthstream/simulator: realistic health-data batches with ground truth. Public names, exported explicitly. */
export { Generator, type GeneratorOptions } from './generator.ts'
export { KafkaSink, type KafkaSinkOptions, type OutgoingRecord } from './kafka-sink.ts'
export {
  OptionError,
  parseOptions,
  type SimulatorOptions,
  simulatorOptions,
  USAGE,
  zoneList,
} from './options.ts'
export { hash01, mix32, Rng } from './prng.ts'
export { type SimulateStats, simulate } from './simulate.ts'
export { parseTruth, type TruthEntry, truthLine } from './truth.ts'
