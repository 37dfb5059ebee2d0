/**
 * The `created_by` of the Parquet data files this library writes, in the form parquet-java's
 * VersionParser reads (`<application> version <semver> (build <id>)`): Spark and other Java readers
 * parse it to decide which writer bugs to work around, and log a VersionParseException for anything
 * else. The application is this library (the table writer), not the Parquet encoder it uses.
 */

/** This library's version; a test keeps it equal to package.json's. */
export const LIBRARY_VERSION = '0.1.0'

/** Written into every data file's footer. */
export const CREATED_BY = `healthstream-iceberg version ${LIBRARY_VERSION} (build healthstream)`
