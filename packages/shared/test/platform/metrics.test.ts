import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createHopMetrics, registerReadiness } from '../../src/platform/metrics.ts'

describe('healthstream_ready', () => {
  it('is 1 while the readiness function says ready and 0 once it does not, asked at each scrape', async () => {
    const metrics = createHopMetrics('validator')
    let ready = true
    registerReadiness(metrics.registry, () => ready)
    assert.match(await metrics.registry.metrics(), /^healthstream_ready\{service="validator"\} 1$/m)
    ready = false
    assert.match(await metrics.registry.metrics(), /^healthstream_ready\{service="validator"\} 0$/m)
  })
})
