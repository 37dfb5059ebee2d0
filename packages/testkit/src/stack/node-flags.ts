/**
 * The Node flags every service runs with, here as in the images (`Dockerfile` CMD; a test keeps the
 * two the same). V8 grows its young generation to 2 × 64 MiB on a large host and keeps it: capped at
 * 8 MiB per semi-space, a service at full load peaked 70–150 MiB lower for CPU within the box's
 * run-to-run spread (BENCHMARKS.md, "Producing in one pass"). V8 reads it only at start-up.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']
