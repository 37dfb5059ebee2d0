/**
 * Errors of the container toolchain. Each has a stable `code`, says whether trying again may help
 * (`canRetry`: a download or a registry hiccup) and names what is missing or what failed.
 */

/** Stable codes, one per way the toolchain can fail. */
export type ToolchainErrorCode =
  | 'TOOL_MISSING' // a host program (podman, go, npm, mmdebstrap, apt-get) is not installed
  | 'INSTALL_FAILED' // apt-get could not install the host packages
  | 'DOWNLOAD_FAILED' // npm pack / go mod download could not fetch an input
  | 'BUILD_FAILED' // mmdebstrap, podman import or go build failed
  | 'RUN_FAILED' // podman could not run a container
  | 'SERVICE_FAILED' // the Docker-compatible API socket did not come up
  | 'NOT_READY' // `status`/tests: a part of the toolchain is absent

/** A failure of the container toolchain; `message` tells the operator what to do. */
export class ToolchainError extends Error {
  override readonly name = 'ToolchainError'
  readonly code: ToolchainErrorCode
  readonly canRetry: boolean

  constructor(
    code: ToolchainErrorCode,
    message: string,
    options: { canRetry?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.canRetry = options.canRetry ?? false
  }
}

/** A host program is missing: names it and how to get it. */
export const toolMissing = (command: string, hint: string): ToolchainError =>
  new ToolchainError('TOOL_MISSING', `'${command}' is missing: ${hint}`)
