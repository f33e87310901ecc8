import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface TestCertificate {
  /** PEM private key (PKCS#8, RSA 2048). */
  key: string;
  /** PEM self-signed certificate for CN=localhost, SAN localhost / 127.0.0.1 / ::1. */
  cert: string;
}

let cached: TestCertificate | undefined;

// selfsigned 5 is async-only. To keep `testCertificate()` synchronous (handy for building
// server options inline) it runs once in a short-lived child Node process.
const GENERATE = `
const selfsigned = require(process.env.SELFSIGNED_PATH);
const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
selfsigned
  .generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  })
  .then((pems) => process.stdout.write(JSON.stringify({ key: pems.private, cert: pems.cert })))
  .catch((err) => { console.error(err); process.exit(1); });
`;

/**
 * A self-signed certificate for `localhost` / 127.0.0.1, generated once per process (with the
 * `selfsigned` package) and cached in memory. Clients must either pass
 * `rejectUnauthorized: false` or trust it explicitly with `ca: testCertificate().cert`.
 */
export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const selfsignedPath = createRequire(import.meta.url).resolve('selfsigned');
  const out = execFileSync(process.execPath, ['-e', GENERATE], {
    env: { ...process.env, SELFSIGNED_PATH: selfsignedPath, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed = JSON.parse(out) as TestCertificate;
  if (!parsed.key.includes('PRIVATE KEY') || !parsed.cert.includes('BEGIN CERTIFICATE')) {
    throw new Error('testCertificate: selfsigned returned something unexpected');
  }
  cached = { key: parsed.key, cert: parsed.cert };
  return cached;
}
