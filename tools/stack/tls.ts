/**
 * The local stack's own certificate authority and the certificates its TLS listeners present, made
 * with openssl on first use under `.stack/tls/` (kept across restarts, so clients that trust the CA
 * keep trusting it). PEM throughout: Kafka reads PEM key stores (`ssl.keystore.type=PEM`), Redis and
 * Node read PEM. Keys are PKCS#8 and unencrypted: they never leave the machine's stack folder.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stackDir } from './paths.ts'
import { requireTool } from './tools.ts'

const DAYS = '3650'

/** Where a certificate and its key are, PEM. `bundle` holds the key then the chain (Kafka's key store). */
export interface CertificateFiles {
  readonly cert: string
  readonly key: string
  readonly bundle: string
}

export interface StackTls {
  /** The CA certificate clients trust (KAFKA_TLS_CA_FILE, rediss:// ca). */
  readonly ca: string
  /** The servers' certificate: CN localhost, SANs localhost and 127.0.0.1. */
  readonly server: CertificateFiles
  /** A client certificate (CN healthstream-client) for mutual TLS. */
  readonly client: CertificateFiles
}

export const tlsDir = (): string => join(stackDir, 'tls')

function openssl(args: readonly string[], cwd: string): void {
  execFileSync(requireTool('openssl', 'install the Debian package openssl'), args, { cwd, stdio: 'pipe' })
}

function issue(dir: string, name: string, subject: string, extensions: string): CertificateFiles {
  const files = {
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
    bundle: join(dir, `${name}.pem`),
  }
  if (existsSync(files.bundle)) return files
  const ext = join(dir, `${name}.ext`)
  writeFileSync(ext, extensions)
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', files.key], dir)
  openssl(['req', '-new', '-key', files.key, '-subj', subject, '-out', `${name}.csr`], dir)
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-days',
      DAYS,
      '-sha256',
      '-extfile',
      ext,
      '-out',
      files.cert,
    ]),
    dir,
  )
  writeFileSync(
    files.bundle,
    readFileSync(files.key, 'utf8') +
      readFileSync(files.cert, 'utf8') +
      readFileSync(join(dir, 'ca.crt'), 'utf8'),
  )
  return files
}

/** The stack's CA and certificates, created on first use. */
export function stackTls(): StackTls {
  const dir = tlsDir()
  mkdirSync(dir, { recursive: true })
  const ca = join(dir, 'ca.crt')
  if (!existsSync(ca)) {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir)
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-sha256',
        '-days',
        DAYS,
        '-subj',
        '/CN=healthstream-stack-ca',
      ].concat(
        ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        ['-out', 'ca.crt'],
      ),
      dir,
    )
  }
  const leaf = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
  return {
    ca,
    server: issue(
      dir,
      'server',
      '/CN=localhost',
      `${leaf}extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n`,
    ),
    client: issue(dir, 'client', '/CN=healthstream-client', `${leaf}extendedKeyUsage=clientAuth\n`),
  }
}
