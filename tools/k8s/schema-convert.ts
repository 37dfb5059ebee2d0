/**
 * Turning published schemas into files kubeconform loads offline. Pure: JSON in, JSON out.
 *
 * - Kubernetes' own kinds come from kubernetes-validate, whose schemas refer to a shared
 *   `_definitions.json` through absolute `https://kubernetes.io/api/…` ids; kubeconform would fetch
 *   those (and skip the resource when it cannot), so they are made relative to the schema's own file.
 * - Custom resources get a schema per served version of their CRD, named as kubeconform's
 *   openapi2jsonschema.py names them (`{group}/{kind}_{version}.json` with the kind in lower case) and
 *   made strict the way it does, the root included.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

/** Bump when the files written from these functions change, so cached schema folders are made again. */
export const CONVERSION_REVISION = 1

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every `$ref` in `node` passed through `rewrite`. */
function mapRefs(node: Json, rewrite: (ref: string) => string): Json {
  if (Array.isArray(node)) return node.map((item) => mapRefs(item, rewrite))
  if (!isObject(node)) return node
  const entries = Object.entries(node).map(([key, value]): [string, Json] =>
    key === '$ref' && typeof value === 'string' ? [key, rewrite(value)] : [key, mapRefs(value, rewrite)],
  )
  return Object.fromEntries(entries)
}

/**
 * A kubernetes-validate schema that loads from its folder: the root `$id` dropped, so references
 * resolve against the file itself, and `/api/<file>` references pointed at the sibling `<file>`.
 */
export function localizeCoreSchema(schema: Json): Json {
  if (!isObject(schema)) return schema
  const { $id: _absolute, ...rest } = schema
  return mapRefs(rest, (ref) => ref.replace(/^\/api\//, ''))
}

/**
 * kubeconform's strict form of a CRD's openAPIV3Schema: an object that lists its properties allows no
 * others, unless it says so itself or keeps unknown fields (`x-kubernetes-preserve-unknown-fields`);
 * `int-or-string` becomes a oneOf and OpenAPI's `nullable` a null type, which JSON Schema knows.
 * Only properties, items and additionalProperties are followed: the branches of allOf/anyOf/oneOf
 * only narrow what the enclosing schema lists, so closing them would reject valid fields.
 */
export function strictSchema(schema: Json): Json {
  if (!isObject(schema)) return schema
  if (schema.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] }
  const out: JsonObject = { ...schema }
  if (isObject(schema.properties)) {
    const properties = Object.entries(schema.properties).map(([name, sub]) => [name, strictSchema(sub)])
    out.properties = Object.fromEntries(properties)
    const open = schema['x-kubernetes-preserve-unknown-fields'] === true
    if (!open && schema.additionalProperties === undefined) out.additionalProperties = false
  }
  if (isObject(schema.items)) out.items = strictSchema(schema.items)
  if (isObject(schema.additionalProperties))
    out.additionalProperties = strictSchema(schema.additionalProperties)
  if (schema.nullable === true && typeof schema.type === 'string') out.type = [schema.type, 'null']
  return out
}

/** One schema file: its path below the CRD schema folder, and its content. */
export interface SchemaFile {
  readonly path: string
  readonly schema: Json
}

/** The strict schema files of a CustomResourceDefinition, one per served version; none for other documents. */
export function crdSchemaFiles(document: Json): SchemaFile[] {
  if (!isObject(document) || document.kind !== 'CustomResourceDefinition' || !isObject(document.spec))
    return []
  const { group, names, versions } = document.spec
  if (typeof group !== 'string' || !isObject(names) || typeof names.kind !== 'string') return []
  const kind = names.kind.toLowerCase()
  return (Array.isArray(versions) ? versions : []).flatMap((version) => {
    if (!isObject(version) || version.served === false || typeof version.name !== 'string') return []
    const schema = isObject(version.schema) ? version.schema.openAPIV3Schema : undefined
    if (!isObject(schema)) return []
    return [{ path: `${group}/${kind}_${version.name}.json`, schema: strictSchema(schema) }]
  })
}
