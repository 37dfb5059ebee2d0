import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { containersConf } from '../conf.ts'
import {
  customizeScript,
  importChanges,
  mmdebstrapArgs,
  NODE_24_SLIM,
  recipeKey,
  rootfsFileName,
  shellQuote,
} from '../recipe.ts'

const inputs = { nodeTarball: '/c/node.tgz', npmTarball: '/c/npm.tgz', caFiles: ["/ca/it's.crt"] }

describe('the node:24-slim recipe', () => {
  it('changes its key when a version, the revision or a CA certificate changes', () => {
    const key = recipeKey(NODE_24_SLIM, ['CA'])
    assert.match(key, /^[0-9a-f]{12}$/)
    assert.equal(recipeKey(NODE_24_SLIM, ['CA']), key)
    assert.notEqual(recipeKey({ ...NODE_24_SLIM, nodeVersion: '24.0.0' }, ['CA']), key)
    assert.notEqual(recipeKey({ ...NODE_24_SLIM, revision: NODE_24_SLIM.revision + 1 }, ['CA']), key)
    assert.notEqual(recipeKey(NODE_24_SLIM, ['another CA']), key)
  })

  it('names the cached tarball after the node version, suite, revision and key', () => {
    assert.equal(
      rootfsFileName({ ...NODE_24_SLIM, revision: 7 }, 'abc'),
      `node-${NODE_24_SLIM.nodeVersion}-bookworm-r7-abc.tar`,
    )
  })

  it('adds the node user with uid and gid 1000 and trusts the machine CA in npm', () => {
    const script = customizeScript(NODE_24_SLIM, inputs)
    assert.match(script, /groupadd --gid 1000 node/)
    assert.match(script, /useradd --uid 1000 --gid node .*--create-home node/)
    assert.match(script, /cafile=\/etc\/ssl\/certs\/ca-certificates.crt/)
    assert.ok(script.includes(`cp ${shellQuote("/ca/it's.crt")} "$root/usr/local/share/ca-certificates/"`))
  })

  it('builds a minbase root with tini, jemalloc and merged /usr without the usrmerge package', () => {
    const args = mmdebstrapArgs(NODE_24_SLIM, '/h.sh', '/o.tar')
    assert.ok(args.includes('--variant=minbase'))
    assert.ok(args.includes('--include=ca-certificates,tini,libjemalloc2'))
    assert.ok(args.includes('--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr'))
    assert.deepEqual(args.slice(-2), ['bookworm', '/o.tar'])
  })

  it("imports with upstream's PATH, entrypoint and CMD, labelled with the key", () => {
    const changes = importChanges(NODE_24_SLIM, 'k1')
    assert.ok(changes.includes('CMD ["node"]'))
    assert.ok(changes.includes('ENTRYPOINT ["docker-entrypoint.sh"]'))
    assert.ok(changes.some((c) => c.startsWith('ENV PATH=/usr/local/sbin:/usr/local/bin')))
    assert.ok(changes.includes('LABEL io.healthstream.base-key=k1'))
  })
})

describe('containers.conf', () => {
  it('selects runc, cgroupfs, no default ulimits and netavark', () => {
    const text = containersConf()
    for (const line of ['runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'default_ulimits = []']) {
      assert.ok(text.includes(line), line)
    }
    assert.ok(text.includes('network_backend = "netavark"'))
  })
})
