/** @healthstream/shared: import from the subpaths (`/avro`, `/domain`, `/kafka`, `/platform`, `/redis`, `/topics`). */
export { TopicSchemas, Topics } from './topics.ts'
