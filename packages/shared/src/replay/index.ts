/** Re-driving dead letters: selection, the replay header, targets and the exactly-once replayer. */
export { type KafkaReplayOptions, kafkaReplayPorts } from './kafka-ports.ts'
export { REPLAY_HEADER, type ReplayMark, readReplayMark, replayHeader } from './marker.ts'
export {
  AUDIT_KEY_PREFIX,
  ReplayError,
  type ReplayPorts,
  type ReplayReport,
  replayDeadLetters,
} from './replayer.ts'
export {
  parseReplayRequest,
  type ReplayRequest,
  ReplayRequestError,
  type ReplaySelection,
  selects,
} from './selection.ts'
export { type ReplayEncoders, type ReplayTarget, replayTarget } from './target.ts'
