// The PEM files behind the tsdfs.tls.* keys. They are read where they are used — the
// certificate and key when a server starts, the CA when a client or a datanode connects
// out — so a client sharing the cluster's site file need not hold the servers' keys.
// Every failure is a ConfigError naming the key and the file.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './load.js';
import { type Config, type ConfigKey, serverTlsEnabled } from './schema.js';

/** A PEM file bigger than this is not a certificate or key someone meant to point at. */
const maxPemFileBytes = 1024 * 1024;

/** What https.createServer needs; `null` when TLS is off. */
export interface ServerTlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks the server's certificate and key (they must belong together). */
export function readServerTlsFiles(config: Config): ServerTlsFiles | null {
  if (!serverTlsEnabled(config)) return null;
  const files = { cert: readPemFile(config, 'tsdfs.tls.cert.file', 'CERTIFICATE'), key: readPemFile(config, 'tsdfs.tls.key.file', 'PRIVATE KEY') };
  try {
    createSecureContext(files);
  } catch (error) {
    const reason = (error as Error).message;
    const what = /mismatch/i.test(reason) ? 'is not the key of the certificate in tsdfs.tls.cert.file' : `cannot be used with tsdfs.tls.cert.file (${reason})`;
    throw new ConfigError(`tsdfs.tls.key.file ${config['tsdfs.tls.key.file']} ${what}`);
  }
  return files;
}

/** The CA certificates to verify peers against; `undefined` means Node's default CAs. */
export function readTrustedCa(config: Config): Buffer | undefined {
  if (config['tsdfs.tls.ca.file'] === '') return undefined;
  return readPemFile(config, 'tsdfs.tls.ca.file', 'CERTIFICATE');
}

/** `label` is what the PEM header must contain (`PRIVATE KEY` covers RSA, EC and PKCS#8 keys). */
function readPemFile(config: Config, key: ConfigKey & `tsdfs.tls.${string}`, label: string): Buffer {
  const file = config[key];
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ConfigError(`cannot read ${key} ${file}: ${reason}`);
  }
  if (content.length > maxPemFileBytes || !new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(content.toString('latin1'))) {
    throw new ConfigError(`${key} ${file} is not a PEM file with a ${label}`);
  }
  return content;
}
