import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A test double's HTTP server on a free loopback port, whose `close` ends open connections too
 * (a hanging request or an SSE stream would otherwise keep it open).
 */
export class LocalServer {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: http.Server) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async listen(handler: http.RequestListener): Promise<LocalServer> {
    const local = new LocalServer(http.createServer(handler));
    await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
    return local;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
