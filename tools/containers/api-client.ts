/**
 * A tiny client for podman's API over its unix socket: the Docker-compatible endpoints (`/_ping`,
 * `/version`) and the libpod ones the health-check driver needs.
 */
import { request } from 'node:http'

export interface ApiResponse {
  readonly status: number
  readonly body: string
}

/** One HTTP request over the unix socket at `socketPath`; rejects on connection errors or timeout. */
export function apiRequest(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs = 10_000,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, host: 'podman', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** Parsed JSON of a 2xx answer; throws naming the endpoint otherwise. */
export async function apiJson<T>(socketPath: string, method: string, path: string): Promise<T> {
  const response = await apiRequest(socketPath, method, path)
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`${method} ${path}: HTTP ${response.status} ${response.body.slice(0, 200)}`)
  }
  return JSON.parse(response.body) as T
}

/** True when the socket answers `/_ping` with OK. */
export async function ping(socketPath: string): Promise<boolean> {
  try {
    const response = await apiRequest(socketPath, 'GET', '/_ping', 2000)
    return response.status === 200 && response.body === 'OK'
  } catch {
    return false
  }
}
