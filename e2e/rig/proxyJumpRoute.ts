import type { SshdPeer } from './sshd';

/**
 * The profile of a ProxyJump route on the rig: `outer` is the first hop, `inner` the jump host
 * behind it, each logging in with its own key, and one target (an echo peer beside them).
 */
export function proxyJumpProfile(route: { outer: SshdPeer; outerKeyPath: string; inner: SshdPeer; innerKeyPath: string; echoPort: number; localPort: number }) {
  const { outer, inner } = route;
  return {
    id: 'chain',
    name: 'Chain',
    jumpHost: {
      host: inner.host,
      port: inner.port,
      user: inner.user,
      auth: { kind: 'key' as const, keyPath: route.innerKeyPath },
      via: [{ host: outer.host, port: outer.port, user: outer.user, auth: { kind: 'key' as const, keyPath: route.outerKeyPath } }],
    },
    targets: [{ id: 'echo', name: 'Echo', engine: 'mysql' as const, remote: { kind: 'host' as const, host: '127.0.0.1', port: route.echoPort }, localPort: route.localPort }],
  };
}
