/**
 * The sampler from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the OpenTelemetry SDK
 * specification names them. The default is `parentbased_always_on`: a context that arrives sampled
 * is recorded, one that arrives unsampled is not (its spans still get ids and propagate), and a trace
 * the service starts itself is always recorded.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace'

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const

/** The sampler the environment asks for, or the problems naming the variable. */
export function samplerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): { readonly sampler: Sampler } | { readonly problems: readonly string[] } {
  const name = (env.OTEL_TRACES_SAMPLER || 'parentbased_always_on').trim()
  if (!(SAMPLERS as readonly string[]).includes(name))
    return { problems: [`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got '${name}'`] }
  let root: Sampler
  if (name.endsWith('traceidratio')) {
    const raw = env.OTEL_TRACES_SAMPLER_ARG
    const ratio = raw === undefined || raw.trim() === '' ? 1 : Number(raw)
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
      return { problems: [`OTEL_TRACES_SAMPLER_ARG must be a ratio in [0, 1], got '${raw}'`] }
    root = new TraceIdRatioBasedSampler(ratio)
  } else root = name.endsWith('always_off') ? new AlwaysOffSampler() : new AlwaysOnSampler()
  return { sampler: name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root }
}

/** Problems of the tracing variables, for start-up's configuration check. */
export function tracingProblems(env: Readonly<Record<string, string | undefined>>): readonly string[] {
  const result = samplerFromEnv(env)
  return 'problems' in result ? result.problems : []
}
