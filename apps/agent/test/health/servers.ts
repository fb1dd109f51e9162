// Real servers on 127.0.0.1 (ephemeral ports) for the health tests and the
// benchmark: TCP, HTTP(S), a UDP echo and a tiny DNS responder.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeDnsReply } from '@lvs-console/shared/health';

export const LOOPBACK = '127.0.0.1';

/** A listener that can be stopped and started again on the same port. */
export interface Restartable {
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function listen(server: Server, port = 0, host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** TCP servers that accept and close; `make` builds a fresh server for each start. */
async function restartable(make: () => Server, host = LOOPBACK): Promise<Restartable> {
  let server = make();
  const sockets = new Set<Socket>();
  const track = (s: Server) =>
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
  track(server);
  const port = await listen(server, 0, host);
  let running = true;
  return {
    port,
    async stop() {
      if (!running) return;
      running = false;
      await closeServer(server, sockets);
    },
    async start() {
      if (running) return;
      server = make();
      track(server);
      await listen(server, port, host);
      running = true;
    },
  };
}

export function tcpServer(host = LOOPBACK): Promise<Restartable> {
  return restartable(() => createTcpServer((socket) => socket.end()), host);
}

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function httpServer(handler: HttpHandler): Promise<Restartable> {
  return restartable(() => createHttpServer(handler));
}

export function httpsServer(tls: { key: string; cert: string }, handler: HttpHandler): Promise<Restartable> {
  return restartable(() => createHttpsServer(tls, handler));
}

/** A UDP socket that answers each datagram via `answer` (null: stay silent). */
export async function udpServer(answer: (message: Buffer) => Uint8Array | null): Promise<Restartable> {
  let socket: UdpSocket | null = null;
  let port = 0;
  const bind = (at: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createSocket('udp4');
      s.on('message', (message, remote) => {
        const reply = answer(message);
        if (reply) s.send(reply, remote.port, remote.address);
      });
      s.once('error', reject);
      s.bind(at, LOOPBACK, () => {
        socket = s;
        resolve(s.address().port);
      });
    });
  port = await bind(0);
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!socket) return resolve();
        socket.close(() => resolve());
        socket = null;
      }),
    async start() {
      if (!socket) await bind(port);
    },
  };
}

export function udpEcho(): Promise<Restartable> {
  return udpServer((message) => message);
}

/** Answers A queries for `name` with `address`, NXDOMAIN for anything else. */
export function dnsServer(name: string, address: [number, number, number, number]): Promise<Restartable> {
  return udpServer((query) => {
    const asked = readQuestionName(query);
    return asked === name ? encodeDnsReply(query, 'A', [new Uint8Array(address)]) : encodeDnsReply(query, 'A', [], 3);
  });
}

function readQuestionName(query: Buffer): string {
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset] ?? 0;
    if (length === 0) break;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  return labels.join('.');
}
