/**
 * The stand-in images' inputs: their versions are the local stack's, every stand-in has its folder
 * with a Dockerfile that says what it replaces, and the input key follows the folder's contents.
 */
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { projectRoot } from '../../stack/paths.ts'
import { INFRA_IMAGES, inputKey, VERSIONS } from '../infra-images.ts'

const stackVersion = (file: string): string => {
  const match = /^const VERSION = '([^']+)'/m.exec(
    readFileSync(join(projectRoot, 'tools', 'stack', 'servers', file), 'utf8'),
  )
  assert.ok(match, `no VERSION in ${file}`)
  return match[1]!
}

describe('the stand-in images', () => {
  it('hold the versions the local stack runs', () => {
    assert.equal(VERSIONS.kafka, stackVersion('kafka.ts'))
    assert.equal(VERSIONS.apicurio, stackVersion('registry.ts'))
    assert.equal(VERSIONS.versitygw, stackVersion('s3.ts'))
  })

  it('are tagged with the names compose.yaml runs', () => {
    const compose = readFileSync(join(projectRoot, 'compose.yaml'), 'utf8')
    for (const image of INFRA_IMAGES) {
      const name = image.tag.replace(/^docker\.io\/(library\/)?/, '')
      assert.match(compose, new RegExp(`image: ${name.replaceAll('.', '\\.')}\\n`), image.tag)
    }
  })

  it('each have a Dockerfile whose header names the upstream image it replaces', () => {
    for (const image of INFRA_IMAGES) {
      const dockerfile = join(projectRoot, 'deploy', 'images', image.name, 'Dockerfile')
      assert.ok(existsSync(dockerfile), dockerfile)
      const upstream = image.tag.replace(/^docker\.io\/(library\/)?/, '')
      assert.match(
        readFileSync(dockerfile, 'utf8'),
        new RegExp(`^# Stand-in for ${upstream.replaceAll('.', '\\.')} `),
      )
    }
  })

  it('are rebuilt when a file of their folder changes, and only then', () => {
    const root = mkdtempSync(join(tmpdir(), 'infra-key-'))
    try {
      const image = INFRA_IMAGES.find((i) => i.name === 'redis')!
      cpSync(join(projectRoot, 'deploy', 'images', 'redis'), join(root, 'deploy', 'images', 'redis'), {
        recursive: true,
      })
      const first = inputKey(image, root)
      assert.equal(inputKey(image, root), first)
      writeFileSync(join(root, 'deploy', 'images', 'redis', 'Dockerfile'), '# changed\n', { flag: 'a' })
      assert.notEqual(inputKey(image, root), first)
      assert.notEqual(inputKey({ ...image, inputs: ['other'] }, root), inputKey(image, root))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
