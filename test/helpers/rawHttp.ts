import net from 'node:net';

/**
 * Writes raw bytes on a new connection and reports how the server answered within `waitMs`: its status line,
 * `closed` (the connection ended without an answer) or `no answer`. For clients fetch cannot play: a body that
 * never completes, a connection that only idles.
 */
export function rawExchange(url: string, text: string, waitMs: number): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const finish = (answer: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('no answer'), waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) finish(received.slice(0, received.indexOf('\r\n')));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(received === '' ? 'closed' : received.split('\r\n')[0]!));
  });
}

/** A POST whose head announces `contentLength` bytes, followed by only the first bytes of the body. */
export function incompletePost(url: string, headers: Record<string, string>, contentLength: number): string {
  const { host, pathname } = new URL(url);
  const head = Object.entries({ ...headers, host, 'content-length': String(contentLength) })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return `POST ${pathname} HTTP/1.1\r\n${head}\r\n\r\n{"id":"`;
}

/**
 * Opens a keep-alive connection, sends one GET /healthz and leaves it open and idle, as a health checker does;
 * from `localAddress` (another loopback address) to play a client other than the test's own. Resolves once answered,
 * or once the server closed it unanswered (the connection budget may: then the socket is `destroyed`), so a caller
 * counts what stayed open instead of waiting for good.
 */
export function idleAfterHealthCheck(port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () =>
      socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'),
    );
    socket.once('data', () => resolve(socket));
    socket.once('close', () => resolve(socket));
    socket.once('error', reject);
  });
}
