/**
 * @healthstream/lake-writer/testing: the lake-writer's test support, for the end-to-end tests and the
 * benchmarks (never for production code): input records, producers, lake targets and drain checks.
 */
export { aggregate, errorRecord, T0, validatedSample } from './records.ts'
export {
  drained,
  endOffsets,
  InputProducer,
  type LakeTarget,
  localTarget,
  postgresTarget,
  restTarget,
  s3Target,
  serializers,
} from './stack.ts'
