// One-line descriptions of TLS failures, for whoever connects out (the client library, the
// CLI, a datanode calling the namenode or a peer): what went wrong and which key fixes it,
// instead of OpenSSL's codes.

/** Node's codes for a peer certificate that did not verify against the trusted CAs. */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const expiredCertificateCodes = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * What to tell the user about `error` on a connection out, or `null` when it is not a TLS
 * failure (the caller's usual wording applies). Callers put the peer in front.
 */
export function describeTlsFailure(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (untrustedCertificateCodes.has(code)) {
    return `certificate verification failed: ${message} — set tsdfs.tls.ca.file to the CA that signed the cluster's certificates`;
  }
  if (expiredCertificateCodes.has(code)) {
    return `certificate verification failed: ${message} — renew the certificate in tsdfs.tls.cert.file on that node`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `certificate verification failed: ${message} — its certificate must name that host in subjectAltName`;
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(message)) {
    return `does not speak TLS (it serves plain HTTP): turn TLS on there (tsdfs.tls.cert.file, tsdfs.tls.key.file) or connect without it (no tsdfs.tls.* keys, http://)`;
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return `TLS handshake failed: ${message}`;
  }
  return null;
}
