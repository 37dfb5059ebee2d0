import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { binaryName } from '../go.ts'
import { crdSchemaFiles, type Json, localizeCoreSchema, strictSchema } from '../schema-convert.ts'
import { readKubeconform } from '../schemas.ts'
import { KUBERNETES_VERSION } from '../versions.ts'

const object = (properties: Record<string, Json>, extra: Record<string, Json> = {}): Json => ({
  type: 'object',
  properties,
  ...extra,
})

describe('strictSchema', () => {
  const cases: Array<[string, Json, Json]> = [
    [
      'closes an object that lists its properties',
      object({ a: { type: 'string' } }),
      object({ a: { type: 'string' } }, { additionalProperties: false }),
    ],
    [
      'closes the objects nested in properties and items',
      object({ list: { type: 'array', items: object({}) } }),
      object(
        { list: { type: 'array', items: object({}, { additionalProperties: false }) } },
        { additionalProperties: false },
      ),
    ],
    [
      'keeps an object open that keeps unknown fields',
      object({}, { 'x-kubernetes-preserve-unknown-fields': true }),
      object({}, { 'x-kubernetes-preserve-unknown-fields': true }),
    ],
    [
      'keeps an additionalProperties the schema sets itself',
      object({}, { additionalProperties: true }),
      object({}, { additionalProperties: true }),
    ],
    [
      'leaves a map of values open, closing the values',
      { type: 'object', additionalProperties: object({}) },
      { type: 'object', additionalProperties: object({}, { additionalProperties: false }) },
    ],
    ['leaves an object without properties (metadata) open', { type: 'object' }, { type: 'object' }],
    ['leaves the branches of anyOf alone', { anyOf: [object({})] }, { anyOf: [object({})] }],
    [
      'turns int-or-string into a oneOf',
      { format: 'int-or-string' },
      { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    ],
    [
      'lets a nullable field be null',
      { type: 'string', nullable: true },
      { type: ['string', 'null'], nullable: true },
    ],
  ]
  for (const [sentence, input, expected] of cases) {
    it(sentence, () => assert.deepEqual(strictSchema(input), expected))
  }
})

describe('localizeCoreSchema', () => {
  it('drops the absolute $id and points /api/ references at the sibling file', () => {
    const schema = {
      $id: 'https://kubernetes.io/api/deployment/apps/v1',
      properties: { spec: { $ref: '/api/_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec' } },
      $defs: { x: { $ref: '#/$defs/y' } },
    }
    assert.deepEqual(localizeCoreSchema(schema), {
      properties: { spec: { $ref: '_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec' } },
      $defs: { x: { $ref: '#/$defs/y' } },
    })
  })
})

describe('crdSchemaFiles', () => {
  const crd = (versions: Json[]): Json => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    spec: { group: 'keda.sh', names: { kind: 'ScaledObject' }, versions },
  })
  const version = (name: string, served = true): Json => ({
    name,
    served,
    schema: { openAPIV3Schema: object({ spec: object({ x: { type: 'string' } }) }) },
  })

  it('names a file {group}/{kind}_{version}.json per served version, strict from the root down', () => {
    const files = crdSchemaFiles(crd([version('v1alpha1'), version('v1beta1', false)]))
    assert.deepEqual(
      files.map((f) => f.path),
      ['keda.sh/scaledobject_v1alpha1.json'],
    )
    assert.equal(
      (files[0]?.schema as { additionalProperties?: Json } | undefined)?.additionalProperties,
      false,
    )
  })

  it('finds nothing in a document that is not a CRD', () => {
    assert.deepEqual(crdSchemaFiles({ kind: 'ConfigMap' }), [])
    assert.deepEqual(crdSchemaFiles(null), [])
  })
})

describe('readKubeconform', () => {
  it('counts valid resources and reports every other status but empty documents', () => {
    const resource = (kind: string, status: string, msg = ''): Json => ({
      kind,
      name: 'n',
      version: 'v1',
      status,
      msg,
    })
    const answer = {
      resources: [
        resource('ConfigMap', 'statusValid'),
        resource('Service', 'statusInvalid', 'at /spec: bad'),
        resource('Widget', 'statusError', 'could not find schema for Widget'),
        resource('Secret', 'statusSkipped'),
        resource('', 'statusEmpty'),
      ],
    }
    const report = readKubeconform(answer)
    assert.equal(report.valid, 1)
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.status]),
      [
        ['Service', 'invalid'],
        ['Widget', 'error'],
        ['Secret', 'skipped'],
      ],
    )
  })
})

describe('the pinned versions', () => {
  it('build the Pod Security checks from the Kubernetes minor whose schemas kubeconform reads', () => {
    const goMod = readFileSync(join(import.meta.dirname, '..', 'pod-security', 'go.mod'), 'utf8')
    const minor = KUBERNETES_VERSION.split('.')[1]
    for (const module of ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/pod-security-admission']) {
      assert.match(goMod, new RegExp(`${module.replaceAll('.', '\\.')} v0\\.${minor}\\.\\d+\\n`), module)
    }
  })

  it('name go install binaries as go does, without a major-version suffix', () => {
    assert.equal(binaryName('sigs.k8s.io/kustomize/kustomize/v5'), 'kustomize')
    assert.equal(binaryName('github.com/yannh/kubeconform/cmd/kubeconform'), 'kubeconform')
  })
})
