// What the TLS layer knows of a request's client, for the authenticator. The certificate is
// read once per connection: getPeerCertificate() builds a new object with three fingerprints
// on every call (~20 us, a tenth of a cheap GET over TLS) and a kept-alive connection carries
// thousands of requests. Only TLS 1.3 connections are remembered: TLS 1.2 allows a
// renegotiation, which may present another certificate. As Kubernetes checks a client
// certificate at every request, one that has expired since its connection was made is no
// longer accepted.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { ClientTLS } from './authenticator.js';

interface Known {
  peer: PeerCertificate;
  /** valid_to as epoch ms (NaN when there is no certificate). */
  notAfter: number;
}

const known = new WeakMap<TLSSocket, Known>();

export function clientTLS(socket: TLSSocket, now = Date.now()): ClientTLS {
  let k = known.get(socket);
  if (!k) {
    const peer = socket.getPeerCertificate();
    k = { peer, notAfter: peer?.valid_to ? Date.parse(peer.valid_to) : NaN };
    if (socket.getProtocol() === 'TLSv1.3') known.set(socket, k);
  }
  if (socket.authorized && now > k.notAfter) return { authorized: false, authorizationError: 'CERT_HAS_EXPIRED', peer: k.peer };
  return { authorized: socket.authorized === true, authorizationError: socket.authorizationError?.toString(), peer: k.peer };
}
