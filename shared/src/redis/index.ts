export { RedisDedupStore } from './dedup-store.ts'
