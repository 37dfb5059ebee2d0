/** `instant`: a reading at a point in time; `interval`: an amount over [start, end]. */
export type DataTypeKind = 'instant' | 'interval'

/** A way to turn a value in `from` into the canonical unit `to`. */
export interface UnitConversion {
  readonly from: string
  readonly to: string
  /** Data types it is valid for; null for any type whose canonical unit is `to`. */
  readonly dataTypes: readonly string[] | null
  readonly convert: (value: number) => number
}

/** One row of `contracts/data-types.csv`, with the units it accepts. */
export interface DataTypeSpec {
  readonly dataType: string
  /** Canonical unit: validated samples carry their value in it. */
  readonly unit: string
  /** Plausible range, inclusive, in the canonical unit. */
  readonly min: number
  readonly max: number
  readonly kind: DataTypeKind
  /** Accepted unit → conversion into `unit` (the canonical unit maps to the identity). */
  readonly conversions: ReadonlyMap<string, UnitConversion>
}

/** Data type name → spec. */
export type DataTypeTable = ReadonlyMap<string, DataTypeSpec>

// Module-level functions, so no closure is created per table or per sample.
function identity(value: number): number {
  return value
}
function poundsToKilograms(value: number): number {
  return value * 0.45359237 // exact by definition of the international pound
}
function glucoseMmolToMgDl(value: number): number {
  return value * 18.0182 // molar mass of glucose (180.182 g/mol) / 10
}
function fahrenheitToCelsius(value: number): number {
  return ((value - 32) * 5) / 9
}

/**
 * The conversions the validator knows. mmol/L → mg/dL depends on the molar mass, so it is scoped to
 * blood glucose; the others are physical and apply to any type measured in the target unit.
 */
export const UNIT_CONVERSIONS: readonly UnitConversion[] = Object.freeze([
  { from: 'lb', to: 'kg', dataTypes: null, convert: poundsToKilograms },
  { from: 'mmol/L', to: 'mg/dL', dataTypes: ['blood_glucose'], convert: glucoseMmolToMgDl },
  { from: 'degF', to: 'degC', dataTypes: null, convert: fahrenheitToCelsius },
])

const HEADER = 'data_type,unit,min,max,kind'

function conversionsFor(
  dataType: string,
  unit: string,
  known: readonly UnitConversion[],
): Map<string, UnitConversion> {
  const map = new Map<string, UnitConversion>([
    [unit, { from: unit, to: unit, dataTypes: null, convert: identity }],
  ])
  for (const c of known) {
    if (c.to === unit && (c.dataTypes === null || c.dataTypes.includes(dataType))) map.set(c.from, c)
  }
  return map
}

function parseBound(text: string, name: string, where: string): number {
  const n = text.trim() === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(n)) throw new Error(`${where}: ${name} must be a finite number, got "${text}"`)
  return n
}

function parseRow(line: string, where: string, known: readonly UnitConversion[]): DataTypeSpec {
  const cells = line.split(',').map((c) => c.trim())
  if (cells.length !== 5) throw new Error(`${where}: expected 5 columns (${HEADER}), got ${cells.length}`)
  const [dataType, unit, minText, maxText, kind] = cells as [string, string, string, string, string]
  if (dataType === '' || unit === '') throw new Error(`${where}: data_type and unit must not be empty`)
  const min = parseBound(minText, 'min', where)
  const max = parseBound(maxText, 'max', where)
  if (min > max) throw new Error(`${where}: min ${min} must not exceed max ${max}`)
  if (kind !== 'instant' && kind !== 'interval') {
    throw new Error(`${where}: kind must be "instant" or "interval", got "${kind}"`)
  }
  return { dataType, unit, min, max, kind, conversions: conversionsFor(dataType, unit, known) }
}

/**
 * Parses the text of `data-types.csv` (header `data_type,unit,min,max,kind`, no quoting; blank
 * lines and CRLF tolerated). Throws an Error naming the line for anything malformed or duplicated:
 * the table is configuration, read once at start, and a bad one must stop start-up.
 */
export function parseDataTypesCsv(
  text: string,
  conversions: readonly UnitConversion[] = UNIT_CONVERSIONS,
): DataTypeTable {
  const lines = text.split(/\r?\n/)
  if (lines[0]?.trim() !== HEADER) throw new Error(`data-types.csv line 1: header must be "${HEADER}"`)
  const table = new Map<string, DataTypeSpec>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    const spec = parseRow(line, `data-types.csv line ${i + 1}`, conversions)
    if (table.has(spec.dataType)) {
      throw new Error(`data-types.csv line ${i + 1}: data_type "${spec.dataType}" is listed twice`)
    }
    table.set(spec.dataType, spec)
  }
  return table
}
