/**
 * HTTPS in front of the sandbox, for clients that insist on it: the Graph JS client attaches the bearer
 * token and follows `@odata.nextLink` only for `https://` URLs of Graph or of its `customHosts`. The
 * sandbox's self-signed certificate is added to this process's trusted CAs; a small TLS proxy forwards to
 * the sandbox's plain HTTP port.
 */

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { selfSignedCertificate } from '../../../src/sandbox/tls.ts';

export interface TlsProxy {
  url: string;
  /** Points the proxy at the plain HTTP port it forwards to. */
  forwardTo(port: number): void;
  close(): Promise<void>;
}

let trusted: { key: string; cert: string } | undefined;

/**
 * One self-signed certificate for this process, trusted from its first use. Node's fetch keeps the CA
 * store it first connected with, so a certificate trusted later would not be: every TLS server in a test
 * file (the proxy, https webhook endpoints) shares this one.
 */
export function trustedCertificate(): { key: string; cert: string } {
  if (!trusted) {
    trusted = selfSignedCertificate();
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), trusted.cert]);
  }
  return trusted;
}

/** Starts a TLS proxy on a free port and makes this process trust its certificate. */
export async function startTlsProxy(): Promise<TlsProxy> {
  const { key, cert } = trustedCertificate();
  let target = 0;
  const server = https.createServer({ key, cert }, (request, response) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    forwardTo(port) {
      target = port;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
