import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a test ZooKeeper, to make the network misbehave:
 * `cut()` drops every connection; a new connection is relayed, or held (taken
 * and never answered, open until cut or closed, as a server that accepted and
 * then hung would), or refused (hung up at once, as a server that is down).
 */
export class ZkProxy {
  mode: 'relay' | 'hold' | 'refuse' = 'relay';
  /** Connections taken while holding. */
  held = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  private constructor(
    readonly host: string,
    target: { host: string; port: number },
  ) {
    this.server = createServer((client) => {
      this.track(client);
      if (this.mode === 'refuse') {
        client.destroy();
        return;
      }
      if (this.mode === 'hold') {
        this.held += 1;
        return;
      }
      const upstream = this.track(connect(target.port, target.host));
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  }

  static async start(host: string, target: { host: string; port: number }): Promise<ZkProxy> {
    const proxy = new ZkProxy(host, target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, host, () => resolve());
    });
    proxy.port = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  get connection(): string {
    return `${this.host}:${this.port}`;
  }

  /** Drops every connection, relayed or held. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }
}
