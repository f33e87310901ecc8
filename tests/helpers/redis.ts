import { connect } from 'node:net';

/** The Redis the multiprocess tier uses (CORREIO_TEST_REDIS_URL, default the local one). */
export const TEST_REDIS_URL = process.env['CORREIO_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url` within a second. */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}
