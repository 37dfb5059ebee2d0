import { InMemoryAggregateStore } from '../../../src/domain/index.ts'
import { describeStoreContract } from './store-contract.ts'

describeStoreContract('InMemoryAggregateStore', () => new InMemoryAggregateStore())
