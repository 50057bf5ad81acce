// A throwaway certificate authority for TLS tests, made with the `openssl` command in a
// temp dir: a CA, a server certificate it signs for 127.0.0.1 and localhost, and a second,
// unrelated CA for "wrong CA" cases. Private keys live only in the temp dir, never in git.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A CA that signed nothing here: verifying against it must fail. */
  otherCaCert: string;
  /** The tsdfs.tls.* settings of a node of the cluster. */
  tlsConfig: Record<string, string>;
  remove(): Promise<void>;
}

/** Why TLS tests are skipped on this machine, or `false` when they can run. */
export function pkiUnavailable(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'the openssl command is not installed';
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** EC P-256 keys: generated in milliseconds, unlike RSA. */
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'tsdfs-pki-'));
  makeCa(dir, 'tsdfs-test-ca');
  makeCa(dir, 'tsdfs-other-ca');
  openssl(dir, ['req', ...newKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'tsdfs-test-ca.crt', '-CAkey', 'tsdfs-test-ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  const pki = {
    dir,
    caCert: join(dir, 'tsdfs-test-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    otherCaCert: join(dir, 'tsdfs-other-ca.crt'),
  };
  return {
    ...pki,
    tlsConfig: { 'tsdfs.tls.cert.file': pki.serverCert, 'tsdfs.tls.key.file': pki.serverKey, 'tsdfs.tls.ca.file': pki.caCert },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
