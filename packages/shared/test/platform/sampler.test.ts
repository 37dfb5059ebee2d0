import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ROOT_CONTEXT, SamplingDecision, SpanKind, trace } from '@opentelemetry/api'
import { samplerFromEnv, tracingProblems } from '../../src/platform/sampler.ts'

const parent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: sampled ? 1 : 0,
    isRemote: true,
  })

/** The decision for a new root and for children of a sampled and an unsampled parent. */
function decisions(env: Record<string, string>): [boolean, boolean, boolean] {
  const result = samplerFromEnv(env)
  assert.ok('sampler' in result, JSON.stringify(result))
  const recorded = (ctx: typeof ROOT_CONTEXT) =>
    result.sampler.shouldSample(ctx, 'f'.repeat(32), 'x', SpanKind.CONSUMER, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  return [recorded(ROOT_CONTEXT), recorded(parent(true)), recorded(parent(false))]
}

describe('samplerFromEnv', () => {
  const cases: [Record<string, string>, [boolean, boolean, boolean]][] = [
    [{}, [true, true, false]],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, [false, true, false]],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, [true, true, true]],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, [false, false, false]],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, [false, true, false]],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }, [true, true, true]],
  ]
  for (const [env, expected] of cases) {
    it(`${JSON.stringify(env)} records a root, a sampled child, an unsampled child: ${expected}`, () => {
      assert.deepEqual(decisions(env), expected)
    })
  }

  it('refuses an unknown sampler or a ratio outside [0, 1], naming the variable', () => {
    assert.match(
      tracingProblems({ OTEL_TRACES_SAMPLER: 'sometimes' }).join(),
      /OTEL_TRACES_SAMPLER must be one of/,
    )
    assert.match(
      tracingProblems({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }).join(),
      /OTEL_TRACES_SAMPLER_ARG must be a ratio/,
    )
    assert.deepEqual(tracingProblems({}), [])
  })
})
