/**
 * The chaos run's lake, as production would run it: the SQL catalog on PostgreSQL and the warehouse
 * on S3, so stopping both makes the lake unreachable; pyiceberg reads it through psycopg2.
 */
import type { TableRef } from '@healthstream/testkit/lake'
import { endpoint, uniqueName } from '@healthstream/testkit/stack'

export interface ChaosLake {
  /** The lake-writer's LAKE_* and S3_* settings. */
  readonly env: Record<string, string>
  ref(table: string): TableRef
}

export function chaosLake(): ChaosLake {
  const catalogUrl = endpoint('LAKE_POSTGRES_URL')
  const catalogName = uniqueName('chaos').replaceAll('-', '_')
  const warehouse = `s3://${endpoint('S3_BUCKET')}/${uniqueName('chaos-lake')}`
  const s3 = { endpoint: endpoint('S3_ENDPOINT'), region: endpoint('S3_REGION') }
  return {
    env: {
      LAKE_CATALOG_URI: catalogUrl,
      LAKE_CATALOG_NAME: catalogName,
      LAKE_WAREHOUSE: warehouse,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: endpoint('S3_ACCESS_KEY_ID'),
      S3_SECRET_ACCESS_KEY: endpoint('S3_SECRET_ACCESS_KEY'),
    },
    ref: (table) => ({
      catalog: 'sql',
      uri: catalogUrl.replace(/^postgres(ql)?:\/\//, 'postgresql+psycopg2://'),
      catalogName,
      warehouse,
      namespace: 'health',
      table,
      s3,
    }),
  }
}
