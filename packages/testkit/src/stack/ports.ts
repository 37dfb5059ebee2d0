/** Host ports for things a test starts. */
import { createServer } from 'node:net'

/** A port nobody listens on right now on 127.0.0.1 (the kernel's pick; another process could still take it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
