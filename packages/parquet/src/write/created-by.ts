/**
 * The Parquet footer's default `created_by`, in the form parquet-java's VersionParser reads
 * (`<application> version <semver> (build <id>)`): Spark and other Java readers parse it to decide
 * which writer bugs to work around, and log a VersionParseException for anything else.
 */

/** This library's version; a test keeps it equal to package.json's. */
export const LIBRARY_VERSION = '0.1.0'

/** Written into every file's footer unless the caller names its own application. */
export const CREATED_BY = `healthstream-parquet version ${LIBRARY_VERSION} (build healthstream)`
