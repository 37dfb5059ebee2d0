import { InMemoryAggregateStore } from './memory-store.ts'
import { describeStoreContract } from './store-contract.ts'

describeStoreContract('InMemoryAggregateStore', () => new InMemoryAggregateStore())
