import type { Hono } from 'hono'

/** A running HTTP server, whatever the runtime. */
export interface RunningServer {
  readonly port: number
  close(): Promise<void>
}

/**
 * What the server allows a client before it cuts the connection (the `HTTP_*` keys of common-config.ts).
 * Each runtime honours what its server offers: node:http all of them; Bun.serve only an idle timeout
 * (`requestTimeoutMs`, in whole seconds up to 255) and the body size; Deno.serve none of the timeouts.
 * The body limit also holds in the app itself (`createServiceApp`), on every runtime.
 */
export interface HttpLimits {
  /** The request line and headers must have arrived within this (node:http `headersTimeout`); 0: no limit. */
  readonly headersTimeoutMs: number
  /** The whole request must have arrived within this (node:http `requestTimeout`, Bun `idleTimeout`); 0: no limit. */
  readonly requestTimeoutMs: number
  /** A keep-alive connection without a request is closed after this (node:http `keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number
  /** The largest request body, in bytes (Bun `maxRequestBodySize`). */
  readonly maxBodyBytes: number
}

/** The defaults of the `HTTP_*` keys. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxBodyBytes: 65_536,
}

/** Bun's idle timeout is whole seconds, at most 255; 0 turns it off. */
const BUN_MAX_IDLE_SECONDS = 255

interface BunLike {
  serve(o: {
    port: number
    hostname: string
    fetch: (r: Request) => Response | Promise<Response>
    idleTimeout: number
    maxRequestBodySize: number
  }): { port: number; stop(force?: boolean): Promise<void> | void }
}
interface DenoLike {
  serve(
    o: { port: number; hostname: string; onListen?: () => void },
    handler: (r: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> }
}

/**
 * Problems between the limits that node:http would only report by throwing at start-up: the headers
 * cannot be given longer than the whole request.
 */
export function httpLimitProblems(limits: HttpLimits): string[] {
  const { headersTimeoutMs: headers, requestTimeoutMs: request } = limits
  if (request > 0 && headers > request) {
    return [`HTTP_HEADERS_TIMEOUT (${headers} ms) must be at most HTTP_REQUEST_TIMEOUT (${request} ms)`]
  }
  return []
}

/** Serves the app with the runtime's own server: Bun.serve, Deno.serve, or node:http via @hono/node-server. */
export async function serve(
  app: Hono,
  port: number,
  hostname: string,
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Promise<RunningServer> {
  const g = globalThis as { Bun?: BunLike; Deno?: DenoLike }
  if (g.Bun) {
    const idleTimeout = Math.min(BUN_MAX_IDLE_SECONDS, Math.ceil(limits.requestTimeoutMs / 1000))
    const server = g.Bun.serve({
      port,
      hostname,
      fetch: app.fetch,
      idleTimeout,
      maxRequestBodySize: limits.maxBodyBytes,
    })
    return { port: server.port, close: async () => void (await server.stop(true)) }
  }
  if (g.Deno) {
    // Deno.serve has no timeouts to set; the app's body limit still holds
    const server = g.Deno.serve({ port, hostname, onListen: () => {} }, app.fetch)
    return { port: server.addr.port, close: () => server.shutdown() }
  }
  const { serve: nodeServe } = await import('@hono/node-server')
  return new Promise((resolve) => {
    const server = nodeServe(
      { fetch: app.fetch, port, hostname, serverOptions: nodeServerOptions(limits) },
      (info) =>
        resolve({
          port: info.port,
          close: () => new Promise<void>((done) => server.close(() => done())),
        }),
    )
  })
}

/**
 * node:http checks the headers and request timeouts only every `connectionsCheckingInterval` (30 s by
 * default), so a 10 s limit could hold a slow client for 40 s: check at least every second.
 */
function nodeServerOptions(limits: HttpLimits) {
  const timeouts = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0)
  const check = Math.max(100, Math.min(1000, ...timeouts.map((ms) => Math.floor(ms / 2))))
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: check,
  }
}
