import type { Hono } from 'hono'

/** A running HTTP server, whatever the runtime. */
export interface RunningServer {
  readonly port: number
  close(): Promise<void>
}

interface BunLike {
  serve(o: { port: number; hostname: string; fetch: (r: Request) => Response | Promise<Response> }): {
    port: number
    stop(force?: boolean): Promise<void> | void
  }
}
interface DenoLike {
  serve(
    o: { port: number; hostname: string; onListen?: () => void },
    handler: (r: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> }
}

/** Serves the app with the runtime's own server: Bun.serve, Deno.serve, or node:http via @hono/node-server. */
export async function serve(app: Hono, port: number, hostname: string): Promise<RunningServer> {
  const g = globalThis as { Bun?: BunLike; Deno?: DenoLike }
  if (g.Bun) {
    const server = g.Bun.serve({ port, hostname, fetch: app.fetch })
    return { port: server.port, close: async () => void (await server.stop(true)) }
  }
  if (g.Deno) {
    const server = g.Deno.serve({ port, hostname, onListen: () => {} }, app.fetch)
    return { port: server.addr.port, close: () => server.shutdown() }
  }
  const { serve: nodeServe } = await import('@hono/node-server')
  return new Promise((resolve) => {
    const server = nodeServe({ fetch: app.fetch, port, hostname }, (info) =>
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    )
  })
}
