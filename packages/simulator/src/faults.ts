import { ReasonCode } from '@healthstream/shared/domain'
import { formatWithoutOffset } from './clock.ts'
import { type DataTypeSpec, spec } from './data-types.ts'
import type { Rng } from './prng.ts'
import type { Draft } from './streams.ts'

/**
 * Invalid samples, one defect each, with the reason code the pipeline must give. A faulty sample
 * is always sent in its canonical unit (except for the unit fault), so no conversion can hide or
 * add a defect.
 *
 * The one unavoidable overlap: a negative value is also below every range. The expected reason
 * assumes the validator checks value presence, finiteness and sign before unit and range.
 */
export const INVALID_KINDS = [
  'negative_value',
  'out_of_range',
  'unknown_unit',
  'bad_timestamp',
  'missing_offset',
  'missing_value',
  'not_finite',
  'end_before_start',
  'in_future',
] as const

export type InvalidKind = (typeof INVALID_KINDS)[number]

/** The reason each kind of defect must produce. */
export const REASON_OF: Readonly<Record<InvalidKind, ReasonCode>> = {
  negative_value: ReasonCode.NEGATIVE_VALUE,
  out_of_range: ReasonCode.OUT_OF_RANGE,
  unknown_unit: ReasonCode.UNKNOWN_UNIT,
  bad_timestamp: ReasonCode.BAD_TIMESTAMP,
  missing_offset: ReasonCode.BAD_TIMESTAMP,
  missing_value: ReasonCode.MISSING_VALUE,
  not_finite: ReasonCode.NOT_FINITE,
  end_before_start: ReasonCode.END_BEFORE_START,
  in_future: ReasonCode.IN_FUTURE,
}

/** Units that are wrong for some type and never converted; nonsense ones included. */
const FOREIGN_UNITS = [
  'mmHg',
  'kg',
  'count',
  '%',
  'kcal',
  'min',
  'degC',
  'mg/dL',
  'count/min',
  'bananas',
  'beats',
]
const UNPARSEABLE = ['yesterday', '2026-13-45T25:61:00+01:00', '25/11/2026 08:15', '1764057600', 'NaN']
const DAY_MS = 86_400_000

/** Kinds that make sense for the sample (end-before-start needs an interval). */
export function kindsFor(draft: Draft): readonly InvalidKind[] {
  return draft.end === null ? INVALID_KINDS.filter((k) => k !== 'end_before_start') : INVALID_KINDS
}

/** Turns a valid draft into an invalid one of `kind`; sets `draft.reason`. */
export function applyFault(draft: Draft, kind: InvalidKind, zone: string, rng: Rng): void {
  const type = spec(draft.dataType)
  draft.unit = type.unit
  draft.value = draft.canonical
  draft.reason = REASON_OF[kind]
  switch (kind) {
    case 'negative_value':
      draft.value = -Math.max(1, Math.round(Math.abs(draft.canonical)))
      break
    case 'out_of_range':
      draft.value = outOfRange(type, rng)
      break
    case 'unknown_unit':
      draft.unit = rng.pick(FOREIGN_UNITS.filter((u) => u !== type.unit))
      break
    case 'bad_timestamp':
      draft.startText = rng.pick(UNPARSEABLE)
      break
    case 'missing_offset':
      draft.startText = formatWithoutOffset(draft.start, zone)
      break
    case 'missing_value':
      draft.value = null
      break
    case 'not_finite':
      draft.value = rng.chance(0.5) ? Number.NaN : Number.POSITIVE_INFINITY
      break
    case 'end_before_start':
      draft.end = draft.start - rng.int(1, 120) * 60_000
      break
    case 'in_future': {
      // A device clock years ahead: in the future for any plausible processing time and skew.
      const shift = rng.int(3650, 7300) * DAY_MS
      draft.start += shift
      if (draft.end !== null) draft.end += shift
      break
    }
  }
}

/** A positive value outside [min, max]: above max, or below a positive min. */
function outOfRange(type: DataTypeSpec, rng: Rng): number {
  if (type.min > 1 && rng.chance(0.4)) return Math.round(rng.between(0.1, 0.9) * type.min * 10) / 10
  return Math.round(type.max * rng.between(1.05, 3) + 1)
}
