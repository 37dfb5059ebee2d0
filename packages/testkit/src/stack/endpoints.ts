/**
 * Endpoints of the real servers the integration tests talk to. `npm test` exports them from the
 * local stack (`npm run stack -- env`); a missing one fails the test with a message, never a skip.
 */
export function endpoint(key: string): string {
  const value = process.env[key]
  if (value === undefined || value === '') {
    throw new Error(
      `${key} is not set: run the tests with 'npm test' (it starts the local stack), ` +
        `or export the endpoints printed by 'npm run stack -- env'`,
    )
  }
  return value
}

/** A name no other test run uses, for topics, buckets, namespaces and keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}
