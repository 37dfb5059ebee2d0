/**
 * A rendered Deployment's pod, translated into the `podman run` that does what a kubelet would: the
 * user and groups, read-only root, dropped capabilities, no privilege escalation, the declared volumes
 * (emptyDir as tmpfs, projected Secrets as read-only files), and the environment from the rendered
 * ConfigMaps, Secrets and field references, in Kubernetes' order (envFrom, then env). Whatever the
 * pod asks for that this translation does not know is an error, not silently dropped.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'

interface Meta {
  readonly name: string
}
interface SecurityContext {
  readonly runAsNonRoot?: boolean
  readonly runAsUser?: number
  readonly runAsGroup?: number
  readonly fsGroup?: number
  readonly readOnlyRootFilesystem?: boolean
  readonly allowPrivilegeEscalation?: boolean
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] }
  readonly seccompProfile?: { readonly type: string }
}
interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number }
}
interface EnvVar {
  readonly name: string
  readonly value?: string
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string }
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean }
    readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean }
  }
}
export interface Container {
  readonly name: string
  readonly image: string
  readonly env?: readonly EnvVar[]
  readonly envFrom?: readonly { readonly configMapRef?: Meta; readonly secretRef?: Meta }[]
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[]
  readonly securityContext?: SecurityContext
  readonly volumeMounts?: readonly {
    readonly name: string
    readonly mountPath: string
    readonly readOnly?: boolean
  }[]
  readonly startupProbe?: Probe
  readonly livenessProbe?: Probe
  readonly readinessProbe?: Probe
}
interface SecretProjection {
  readonly secret: { readonly name: string; readonly items: readonly { key: string; path: string }[] }
}
interface Volume {
  readonly name: string
  readonly emptyDir?: { readonly sizeLimit?: string }
  readonly projected?: { readonly defaultMode?: number; readonly sources: readonly SecretProjection[] }
}
export interface PodSpec {
  readonly containers: readonly Container[]
  readonly securityContext?: SecurityContext
  readonly volumes?: readonly Volume[]
  readonly terminationGracePeriodSeconds?: number
}
export interface Deployment {
  readonly kind: 'Deployment'
  readonly metadata: Meta
  readonly spec: { readonly replicas?: number; readonly template: { readonly spec: PodSpec } }
}
interface Resource {
  readonly kind: string
  readonly metadata: Meta
  readonly data?: Record<string, string>
  readonly spec?: unknown
}

/** The resources `kustomize build` printed. */
export function parseManifests(yaml: string): Resource[] {
  return parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`)
    return doc.toJS() as Resource
  })
}

/** The Secrets a user creates beside the manifests (k8s/README.md): name → key → value. */
export type Secrets = ReadonlyMap<string, Readonly<Record<string, string>>>

export interface PodRun {
  /** `podman run` arguments up to (and including) the image. */
  readonly args: string[]
  /** The container's environment, as the kubelet would set it. */
  readonly env: Record<string, string>
  /** The port the readiness probe asks, resolved from the container's named ports. */
  readonly probePort: number
  readonly readinessPath: string
  readonly livenessPath: string
  readonly gracePeriodSeconds: number
}

/**
 * How the kubelet would run the Deployment's one container as pod `podName`. Secret volumes are
 * written under `secretDir` (owned by root and the fsGroup, the projected mode). `substitute` replaces
 * environment values after they are resolved: where the cluster's servers are on this machine.
 */
export function podmanRun(
  deployment: Deployment,
  resources: readonly Resource[],
  options: {
    readonly podName: string
    readonly image: string
    readonly secrets: Secrets
    readonly secretDir: string
    readonly substitute: (env: Record<string, string>) => Record<string, string>
  },
): PodRun {
  const pod = deployment.spec.template.spec
  if (pod.containers.length !== 1) throw new Error(`${deployment.metadata.name}: one container expected`)
  const container = pod.containers[0]!
  const security = { ...pod.securityContext, ...container.securityContext }
  const args = ['run', '-d', '--name', options.podName, '--network', 'host']
  args.push(...securityFlags(deployment.metadata.name, security))
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name)
    if (volume === undefined) throw new Error(`volume ${mount.name} is mounted but not declared`)
    args.push(...volumeFlags(volume, mount, options, security.fsGroup ?? 0))
  }
  const env = options.substitute(environment(container, resources, options))
  args.push(...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), options.image)
  const port = (probe: Probe | undefined, what: string): { path: string; port: number } => {
    const get = probe?.httpGet
    if (get === undefined) throw new Error(`${deployment.metadata.name}: no HTTP ${what} probe`)
    const named = container.ports?.find((p) => p.name === get.port)?.containerPort
    return { path: get.path, port: typeof get.port === 'number' ? get.port : (named ?? Number.NaN) }
  }
  const readiness = port(container.readinessProbe, 'readiness')
  return {
    args,
    env,
    probePort: readiness.port,
    readinessPath: readiness.path,
    livenessPath: port(container.livenessProbe, 'liveness').path,
    gracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
  }
}

function securityFlags(name: string, s: SecurityContext): string[] {
  if (s.runAsUser === undefined) throw new Error(`${name}: no numeric runAsUser`)
  if (s.runAsNonRoot && s.runAsUser === 0) throw new Error(`${name}: runAsNonRoot with runAsUser 0`)
  const flags = [`--user=${s.runAsUser}:${s.runAsGroup ?? 0}`]
  if (s.fsGroup !== undefined) flags.push(`--group-add=${s.fsGroup}`)
  // podman's --read-only adds tmpfs on /tmp, /run …; a pod's root has only what its volumes declare
  if (s.readOnlyRootFilesystem) flags.push('--read-only', '--read-only-tmpfs=false')
  for (const cap of s.capabilities?.drop ?? []) flags.push(`--cap-drop=${cap}`)
  for (const cap of s.capabilities?.add ?? []) flags.push(`--cap-add=${cap}`)
  if (s.allowPrivilegeEscalation === false) flags.push('--security-opt=no-new-privileges')
  // RuntimeDefault is podman's default seccomp profile too
  if (s.seccompProfile !== undefined && s.seccompProfile.type !== 'RuntimeDefault')
    throw new Error(`${name}: seccomp profile ${s.seccompProfile.type} not translated`)
  return flags
}

function volumeFlags(
  volume: Volume,
  mount: { mountPath: string; readOnly?: boolean },
  options: { podName: string; secrets: Secrets; secretDir: string },
  fsGroup: number,
): string[] {
  if (volume.emptyDir !== undefined) {
    const size = volume.emptyDir.sizeLimit?.replace(/Mi$/, 'm').replace(/Gi$/, 'g')
    const sizeOption = size === undefined ? '' : `,tmpfs-size=${size}`
    return ['--mount', `type=tmpfs,destination=${mount.mountPath},tmpfs-mode=1777${sizeOption}`]
  }
  if (volume.projected !== undefined) {
    const dir = join(options.secretDir, options.podName, volume.name)
    for (const { secret } of volume.projected.sources) {
      const values = options.secrets.get(secret.name)
      if (values === undefined)
        throw new Error(`secret ${secret.name} does not exist: the pod would not start`)
      for (const item of secret.items) {
        const value = values[item.key]
        if (value === undefined) throw new Error(`secret ${secret.name} has no key ${item.key}`)
        const file = join(dir, item.path)
        mkdirSync(dirname(file), { recursive: true })
        writeFileSync(file, value)
        chownSync(file, 0, fsGroup)
        chmodSync(file, volume.projected.defaultMode ?? 0o644)
      }
    }
    chmodSync(dir, 0o755)
    return ['-v', `${dir}:${mount.mountPath}:ro`]
  }
  throw new Error(`volume ${volume.name}: kind not translated`)
}

function environment(
  container: Container,
  resources: readonly Resource[],
  options: { podName: string; secrets: Secrets },
): Record<string, string> {
  const configMap = (name: string): Record<string, string> => {
    const found = resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === name)
    if (found === undefined) throw new Error(`ConfigMap ${name} is not in the rendered manifests`)
    return found.data ?? {}
  }
  const env: Record<string, string> = {}
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef !== undefined) Object.assign(env, configMap(from.configMapRef.name))
    else throw new Error('envFrom: only configMapRef is translated')
  }
  for (const variable of container.env ?? []) {
    const source = variable.valueFrom
    if (variable.value !== undefined) env[variable.name] = variable.value
    else if (source?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = options.podName
    else if (source?.secretKeyRef !== undefined) {
      const { name, key, optional } = source.secretKeyRef
      const value = options.secrets.get(name)?.[key]
      if (value !== undefined) env[variable.name] = value
      else if (!optional)
        throw new Error(`${variable.name}: secret ${name}/${key} missing: the pod would not start`)
    } else if (source?.configMapKeyRef !== undefined) {
      const value = configMap(source.configMapKeyRef.name)[source.configMapKeyRef.key]
      if (value !== undefined) env[variable.name] = value
    } else throw new Error(`${variable.name}: value source not translated`)
  }
  return env
}
