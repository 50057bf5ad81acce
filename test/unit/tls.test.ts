// TLS's pure parts and its one server wrapper: which scheme a client picks, the config
// checks and file errors naming their key, the one-line descriptions of TLS failures, and
// the HTTPS-only server answering plain HTTP with a clear 400.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DfsClient } from '../../client-lib/index.js';
import { namenodeHttpBase } from '../../client-lib/paths.js';
import { ConfigError, namenodeUrl, parseConfig, readServerTlsFiles, readTrustedCa, schemeOf } from '../../config/index.js';
import { createHttpsOnlyServer, plainHttpRefusalMessage } from '../../protocol/https-only.js';
import { describeTlsFailure } from '../../protocol/tls-errors.js';
import { makeTestPki, pkiUnavailable, type TestPki } from '../helpers/test-pki.js';

/** A ConfigError whose message (not `ConfigError: …`) matches `pattern`. */
function throwsConfigError(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: Error) => error instanceof ConfigError && pattern.test(error.message));
}

function errorWithCode(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

describe('which scheme a client speaks', () => {
  test('plain HTTP without tsdfs.tls.* keys; an explicit scheme always wins', () => {
    const plain = parseConfig({});
    assert.equal(schemeOf('tsdfs://nn:9870', plain), 'http');
    assert.equal(schemeOf('https://nn:9870', plain), 'https');
    assert.equal(namenodeUrl(parseConfig({ 'fs.defaultFS': 'https://nn:9870' })), 'https://nn:9870');
  });

  test('tsdfs:// means HTTPS once the config has a CA or a certificate of its own', () => {
    const withCa = parseConfig({ 'tsdfs.tls.ca.file': '/etc/tsdfs/ca.crt' });
    const withCert = parseConfig({ 'tsdfs.tls.cert.file': '/c', 'tsdfs.tls.key.file': '/k' });
    assert.equal(schemeOf('tsdfs://nn:9870', withCa), 'https');
    assert.equal(schemeOf('hdfs://nn:9870', withCert), 'https');
    assert.equal(schemeOf('http://nn:9870', withCa), 'http', 'an explicit http:// is obeyed (and refused by a TLS server)');
    assert.equal(namenodeUrl(withCa), 'https://127.0.0.1:9870');
  });

  test('namenode addresses keep host and port in either scheme', () => {
    assert.equal(namenodeHttpBase('https://nn:1/'), 'http://nn:1', 'the scheme is the caller’s decision');
    assert.equal(namenodeHttpBase('tsdfs://nn:1', 'https'), 'https://nn:1');
  });
});

describe('TLS config checks', () => {
  test('certificate and key go together, the message naming the missing key', () => {
    throwsConfigError(() => parseConfig({ 'tsdfs.tls.cert.file': '/c' }), /^tsdfs\.tls\.key\.file is not set/);
    throwsConfigError(() => parseConfig({ 'tsdfs.tls.key.file': '/k' }), /^tsdfs\.tls\.cert\.file is not set/);
  });

  test('without TLS nothing is read', () => {
    assert.equal(readServerTlsFiles(parseConfig({})), null);
    assert.equal(readTrustedCa(parseConfig({})), undefined);
  });

  test('describeTlsFailure names the fix, and leaves other errors alone', () => {
    const untrusted = describeTlsFailure(errorWithCode('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
    assert.equal(untrusted, "certificate verification failed: self-signed certificate in certificate chain — set tsdfs.tls.ca.file to the CA that signed the cluster's certificates");
    assert.match(describeTlsFailure(errorWithCode('CERT_HAS_EXPIRED', 'certificate has expired')) ?? '', /renew the certificate in tsdfs\.tls\.cert\.file/);
    assert.match(describeTlsFailure(errorWithCode('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")) ?? '', /subjectAltName/);
    const plainServer = errorWithCode('EPROTO', 'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number');
    assert.match(describeTlsFailure(plainServer) ?? '', /^does not speak TLS \(it serves plain HTTP\)/);
    assert.equal(describeTlsFailure(errorWithCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')), null);
  });
});

describe('TLS files and the HTTPS-only server', { skip: pkiUnavailable() }, () => {
  let pki: TestPki;
  before(async () => {
    pki = await makeTestPki();
  });
  after(() => pki?.remove());

  test('unreadable, non-PEM and mismatched files are refused naming the key', async () => {
    const config = (settings: Record<string, string>) => parseConfig({ ...pki.tlsConfig, ...settings });
    throwsConfigError(() => readServerTlsFiles(config({ 'tsdfs.tls.cert.file': join(pki.dir, 'nope.crt') })), /^cannot read tsdfs\.tls\.cert\.file \S+nope\.crt: no such file$/);
    const notPem = join(pki.dir, 'not-pem.txt');
    await writeFile(notPem, 'hello');
    throwsConfigError(() => readServerTlsFiles(config({ 'tsdfs.tls.key.file': notPem })), /^tsdfs\.tls\.key\.file \S+ is not a PEM file with a PRIVATE KEY$/);
    throwsConfigError(() => readTrustedCa(config({ 'tsdfs.tls.ca.file': notPem })), /^tsdfs\.tls\.ca\.file \S+ is not a PEM file with a CERTIFICATE$/);
    const otherKey = join(pki.dir, 'tsdfs-other-ca.key');
    throwsConfigError(() => readServerTlsFiles(config({ 'tsdfs.tls.key.file': otherKey })), /^tsdfs\.tls\.key\.file \S+ is not the key of the certificate in tsdfs\.tls\.cert\.file$/);
    const files = readServerTlsFiles(config({}));
    assert.ok(files?.cert.length && files.key.length);
  });

  test('plain HTTP gets a 400 saying HTTPS only; HTTPS verified against the CA is served', async () => {
    const tls = readServerTlsFiles(parseConfig(pki.tlsConfig));
    assert.ok(tls);
    const server = createHttpsOnlyServer(tls, (_request, response) => response.end('served'), 'datanode');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const plain = await fetch(`http://127.0.0.1:${port}/status`);
      assert.equal(plain.status, 400);
      const body = (await plain.json()) as { RemoteException: { message: string } };
      assert.equal(body.RemoteException.message, plainHttpRefusalMessage('datanode'));

      const ca = await readFile(pki.caCert);
      const served = await new Promise<string>((resolve, reject) => {
        https.get(`https://127.0.0.1:${port}/`, { ca, agent: false }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.equal(served, 'served');

      const refused = await new Promise<Error>((resolve) => {
        https.get(`https://127.0.0.1:${port}/`, { agent: false }, () => resolve(new Error('served without the CA'))).on('error', resolve);
      });
      assert.match(describeTlsFailure(refused) ?? '', /^certificate verification failed: .* — set tsdfs\.tls\.ca\.file/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a DfsClient with a CA speaks HTTPS to tsdfs:// addresses with https agents', async () => {
    const client = new DfsClient({ config: parseConfig({ 'tsdfs.tls.ca.file': pki.caCert }), namenode: 'tsdfs://127.0.0.1:1', user: 'alice' });
    assert.equal(client.namenode, 'https://127.0.0.1:1');
    await client.close();
    const plain = new DfsClient({ config: parseConfig({}), namenode: 'tsdfs://127.0.0.1:1', user: 'alice' });
    assert.equal(plain.namenode, 'http://127.0.0.1:1');
    await plain.close();
  });
});
