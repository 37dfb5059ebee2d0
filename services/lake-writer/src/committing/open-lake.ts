/**
 * Opening the lake from configuration: the catalog (SQL on a SQLite file or PostgreSQL, or REST) and
 * the storage (local directory and/or S3, chosen per location). The tables: `ensure-tables.ts`.
 */
import { isAbsolute, resolve } from 'node:path'
import {
  type Catalog,
  fileUri,
  LocalObjectStore,
  type ObjectInfo,
  type ObjectStore,
  openNodeSqlite,
  openPostgres,
  type RestAuth,
  RestCatalog,
  S3ObjectStore,
  type S3ObjectStoreOptions,
  SqlCatalog,
} from '@healthstream/iceberg'
import { POSTGRES_URL } from '../config.ts'

/** The lake's settings (the LAKE_* and S3_* keys of `config.ts`). */
export interface LakeSettings {
  readonly LAKE_CATALOG: 'sql' | 'rest'
  readonly LAKE_CATALOG_URI: string
  readonly LAKE_CATALOG_NAME: string
  readonly LAKE_WAREHOUSE: string
  readonly LAKE_REST_TOKEN: string
  readonly LAKE_REST_CREDENTIAL: string
  readonly LAKE_NAMESPACE: string
  readonly S3_ENDPOINT: string
  readonly S3_REGION: string
  readonly S3_ACCESS_KEY_ID: string
  readonly S3_SECRET_ACCESS_KEY: string
  readonly S3_PATH_STYLE: boolean
}

/** An open lake. */
export interface Lake {
  readonly catalog: Catalog
  readonly store: ObjectStore
  readonly namespace: string[]
  /** Releases the catalog's database (SQL). */
  close(): Promise<void>
}

/** s3:// locations go to S3, everything else to the local file system. */
export class ObjectStoreByScheme implements ObjectStore {
  readonly #local = new LocalObjectStore()
  readonly #s3: () => ObjectStore

  constructor(s3: () => ObjectStore) {
    this.#s3 = s3
  }

  #for(location: string): ObjectStore {
    return /^s3[an]?:\/\//.test(location) ? this.#s3() : this.#local
  }
  put(location: string, bytes: Uint8Array): Promise<void> {
    return this.#for(location).put(location, bytes)
  }
  get(location: string): Promise<Uint8Array> {
    return this.#for(location).get(location)
  }
  exists(location: string): Promise<boolean> {
    return this.#for(location).exists(location)
  }
  list(prefix: string): Promise<ObjectInfo[]> {
    return this.#for(prefix).list(prefix)
  }
  delete(location: string): Promise<void> {
    return this.#for(location).delete(location)
  }
}

function s3Options(s: LakeSettings): S3ObjectStoreOptions {
  return {
    region: s.S3_REGION,
    forcePathStyle: s.S3_PATH_STYLE,
    ...(s.S3_ENDPOINT ? { endpoint: s.S3_ENDPOINT } : {}),
    ...(s.S3_ACCESS_KEY_ID
      ? { accessKeyId: s.S3_ACCESS_KEY_ID, secretAccessKey: s.S3_SECRET_ACCESS_KEY }
      : {}),
  }
}

/** A warehouse setting as a location: `s3://…` as is, a directory as an absolute `file:` URI. */
export function warehouseLocation(warehouse: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(warehouse)) return warehouse.replace(/\/+$/, '')
  return fileUri(isAbsolute(warehouse) ? warehouse : resolve(warehouse))
}

function restAuth(s: LakeSettings): RestAuth {
  if (s.LAKE_REST_TOKEN) return { type: 'bearer', token: s.LAKE_REST_TOKEN }
  if (s.LAKE_REST_CREDENTIAL) {
    const [clientId, ...secret] = s.LAKE_REST_CREDENTIAL.split(':')
    return { type: 'oauth2', clientId: clientId ?? '', clientSecret: secret.join(':') }
  }
  return { type: 'none' }
}

/** Opens the catalog and storage the settings name. */
export function openLake(s: LakeSettings): Lake {
  let s3: ObjectStore | undefined
  const store = new ObjectStoreByScheme(() => {
    s3 ??= new S3ObjectStore(s3Options(s))
    return s3
  })
  const namespace = s.LAKE_NAMESPACE.split('.')
  if (s.LAKE_CATALOG === 'rest') {
    const catalog = new RestCatalog({
      uri: s.LAKE_CATALOG_URI,
      name: s.LAKE_CATALOG_NAME,
      auth: restAuth(s),
      ...(s.LAKE_WAREHOUSE ? { warehouse: s.LAKE_WAREHOUSE } : {}),
    })
    return { catalog, store, namespace, close: async () => undefined }
  }
  const db = POSTGRES_URL.test(s.LAKE_CATALOG_URI)
    ? openPostgres(s.LAKE_CATALOG_URI)
    : openNodeSqlite(resolve(s.LAKE_CATALOG_URI))
  const warehouse = warehouseLocation(s.LAKE_WAREHOUSE || 'lake/warehouse')
  const catalog = new SqlCatalog({ name: s.LAKE_CATALOG_NAME, db, store, warehouse })
  return { catalog, store, namespace, close: () => db.close() }
}
