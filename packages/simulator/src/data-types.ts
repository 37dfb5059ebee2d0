import { readFileSync } from 'node:fs'

/** One row of `shared/contracts/data-types.csv`: canonical unit and plausible inclusive range. */
export interface DataTypeSpec {
  readonly dataType: string
  readonly unit: string
  readonly min: number
  readonly max: number
  readonly kind: 'instant' | 'interval'
}

/** Parses the data-type table (header `data_type,unit,min,max,kind`). */
export function parseDataTypes(csv: string): Map<string, DataTypeSpec> {
  const rows = csv.trim().split(/\r?\n/).slice(1)
  const specs = new Map<string, DataTypeSpec>()
  for (const row of rows) {
    const [dataType, unit, min, max, kind] = row.split(',').map((cell) => cell.trim())
    if (!dataType || !unit || (kind !== 'instant' && kind !== 'interval')) {
      throw new Error(`data-types.csv: bad row '${row}'`)
    }
    specs.set(dataType, { dataType, unit, min: Number(min), max: Number(max), kind })
  }
  return specs
}

/** The contract table, read once from the shared package. */
export const DATA_TYPES: ReadonlyMap<string, DataTypeSpec> = parseDataTypes(
  readFileSync(new URL('../../shared/contracts/data-types.csv', import.meta.url), 'utf8'),
)

/** The spec of a data type the simulator emits; a typo here is a bug, so it throws. */
export function spec(dataType: string): DataTypeSpec {
  const found = DATA_TYPES.get(dataType)
  if (!found) throw new Error(`unknown data type ${dataType}`)
  return found
}

/**
 * Units the validator converts to the canonical one (the same factors as the validator), keyed by
 * the unit as sent. Anything else that is not the canonical unit is `UNKNOWN_UNIT`.
 */
export const CONVERSIONS: Readonly<
  Record<string, { readonly to: string; readonly toCanonical: (v: number) => number }>
> = {
  lb: { to: 'kg', toCanonical: (v) => v * 0.45359237 },
  'mmol/L': { to: 'mg/dL', toCanonical: (v) => v * 18.0182 },
  degF: { to: 'degC', toCanonical: (v) => ((v - 32) * 5) / 9 },
}

/** The value in the canonical unit of `dataType`, or undefined when the unit is not accepted. */
export function toCanonical(dataType: string, unit: string, value: number): number | undefined {
  if (unit === spec(dataType).unit) return value
  const conversion = CONVERSIONS[unit]
  return conversion && conversion.to === spec(dataType).unit ? conversion.toCanonical(value) : undefined
}

/** The inverse of {@link toCanonical} for the units a device may prefer. */
export function fromCanonical(unit: string, canonical: number): number {
  switch (unit) {
    case 'lb':
      return canonical / 0.45359237
    case 'mmol/L':
      return canonical / 18.0182
    case 'degF':
      return (canonical * 9) / 5 + 32
    default:
      return canonical
  }
}
