/**
 * The loopback servers this test file started (Dovecot, SMTP sinks). Correio refuses private
 * addresses unless CORREIO_PRIVATE_HOSTS_ALLOWED names them (N5), so a test app is started with
 * exactly these `127.0.0.1:<port>` entries allowed — every other local port stays refused, as
 * in production. Start servers before the app that must reach them.
 */
const ports = new Set<number>();

export function registerTestServer(port: number): void {
  ports.add(port);
}

export function testServersAllowed(): string {
  return [...ports].map((p) => `127.0.0.1:${p}`).join(',');
}
