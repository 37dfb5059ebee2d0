/** The container toolchain's public names, for tests and tools. */
export { COMPOSE_VERSION, composeBinPath } from './compose-bin.ts'
export { containersConf, podmanEnv } from './conf.ts'
export { ToolchainError, type ToolchainErrorCode } from './errors.ts'
export { PROBE_IMAGE } from './host.ts'
export { containersConfPath, dockerHost, socketPath } from './paths.ts'
export { type BaseRecipe, NODE_24_SLIM } from './recipe.ts'
export { down, requireToolchain, status, toolchainEnv, type UpReport, up } from './toolchain.ts'
