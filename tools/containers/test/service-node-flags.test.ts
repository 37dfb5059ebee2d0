import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { projectRoot, SERVICE_NODE_FLAGS } from '@healthstream/testkit/stack'

test('the images run the services with the Node flags tests and `npm start` use', () => {
  const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8')
  const cmd = /^CMD \["sh", "-c", "exec node (.*)services\/\$\{SERVICE\}\/src\/main\.ts"\]$/m.exec(dockerfile)
  assert.ok(cmd, 'the Dockerfile starts the service with exec node, its flags, then the main.ts of SERVICE')
  assert.deepEqual(cmd[1]!.trim().split(/\s+/).filter(Boolean), SERVICE_NODE_FLAGS)
  assert.ok(SERVICE_NODE_FLAGS.length > 0)
})
