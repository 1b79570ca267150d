import type http from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionBudgetLimits {
  /** Open connections at most (HTTP_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Open connections of one client at most (HTTP_MAX_CONNECTIONS_PER_CLIENT). */
  maxPerClient: number;
  /** How long a connection that has sent no signed delivery may idle (HTTP_UNSIGNED_IDLE_TIMEOUT_MS). */
  unsignedIdleMs: number;
  /**
   * The request header naming the client when a proxy in front says who it is (HTTP_CLIENT_ADDRESS_HEADER); off by
   * default, because any client can send the header to a service that is reached directly.
   */
  clientAddressHeader?: string;
}

interface Tracked {
  client: string;
  busy: number;
  signed: boolean;
  idleTimer?: NodeJS.Timeout;
}

export interface ConnectionBudget {
  /** The webhook route's word that a connection carried a genuine delivery. */
  markSigned(socket: Socket): void;
  /** Starts keeping the budget on a server (before it listens). */
  attach(server: http.Server): void;
}

/**
 * Keeps idle sockets from closing ingest. A plain connection cap lets any client that holds the cap's worth of idle
 * keep-alive connections (a health checker, a scanner) turn every delivery away. Here a connection earns its place by
 * carrying a signed delivery: one that has not idles only `unsignedIdleMs`, and at either cap (the whole server's,
 * or one client's) the oldest idle connection without a signed delivery is closed to make room. Only when every
 * connection is busy or signed is a new one dropped (Svix retries it). Health checks, which never sign, so never
 * hold a slot a delivery needs.
 */
export function connectionBudget(limits: ConnectionBudgetLimits): ConnectionBudget {
  const open = new Map<Socket, Tracked>();

  const countOf = (client: string) => {
    let n = 0;
    for (const t of open.values()) if (t.client === client) n++;
    return n;
  };
  /** The oldest idle, unsigned connection (of `client` when given): Map order is connection order. */
  const evictable = (client?: string) => {
    for (const [socket, t] of open) {
      if (t.busy === 0 && !t.signed && (client === undefined || t.client === client)) return socket;
    }
    return undefined;
  };
  const idle = (socket: Socket, t: Tracked) => {
    clearTimeout(t.idleTimer);
    if (t.signed) return; // the server's keep-alive timeout governs a sender's connection
    t.idleTimer = setTimeout(() => socket.destroy(), limits.unsignedIdleMs);
    t.idleTimer.unref();
  };
  /** Makes room when `client` (or the server) is over its cap; false when nothing can be closed. */
  const makeRoom = (client: string, except: Socket) => {
    if (countOf(client) > limits.maxPerClient) {
      const victim = evictable(client);
      if (!victim || victim === except) return false;
      victim.destroy();
      open.delete(victim);
    }
    if (open.size > limits.maxConnections) {
      const victim = evictable();
      if (!victim || victim === except) return false;
      victim.destroy();
      open.delete(victim);
    }
    return true;
  };

  const onConnection = (socket: Socket) => {
    const t: Tracked = { client: socket.remoteAddress ?? 'unknown', busy: 0, signed: false };
    open.set(socket, t);
    socket.once('close', () => {
      clearTimeout(t.idleTimer);
      open.delete(socket);
    });
    // The newcomer is last in connection order, so it is only taken when nothing older can be.
    if (!makeRoom(t.client, socket)) {
      open.delete(socket);
      socket.destroy();
      return;
    }
    idle(socket, t);
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = open.get(req.socket);
    if (!t) return;
    clearTimeout(t.idleTimer);
    t.busy++;
    const header = limits.clientAddressHeader && req.headers[limits.clientAddressHeader];
    if (typeof header === 'string' && t.busy === 1) {
      // The proxy appends the address it saw: the last entry is the one no client could write.
      const client = header.split(',').at(-1)?.trim();
      if (client && client !== t.client) {
        t.client = client.slice(0, 64);
        if (!makeRoom(t.client, req.socket)) res.shouldKeepAlive = false;
      }
    }
    res.once('close', () => {
      t.busy--;
      if (t.busy === 0 && !req.socket.destroyed) idle(req.socket, t);
    });
  };

  return {
    markSigned(socket) {
      const t = open.get(socket);
      if (t) t.signed = true;
    },
    attach(server) {
      server.on('connection', onConnection);
      server.on('request', onRequest);
    },
  };
}
