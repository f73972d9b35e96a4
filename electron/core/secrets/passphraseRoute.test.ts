import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pickPort } from '../../../e2e/rig/daemon';
import { makeOpenSshKey, makePuttyKey, type RigKey } from '../../../e2e/rig/keys';
import { peersAvailable } from '../../../e2e/rig/peers';
import { proxyJumpProfile } from '../../../e2e/rig/proxyJumpRoute';
import { SshdPeer } from '../../../e2e/rig/sshd';
import { roundTrip, startEchoServer, type TcpPeer } from '../../../e2e/rig/tcpPeers';
import type { JumpgateBridge } from '../../../shared/bridge';
import type { Reply } from '../../../shared/contract';
import { createDispatcher, invokerFor } from '../dispatcher';
import { createJumpgate, type Jumpgate } from '../service';

function value<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value;
}

/**
 * Issue #17: a ProxyJump route whose outer hop has its own encrypted key. Each passphrase question
 * names its key, each answer is for the key it names, and each passphrase is kept by its own path.
 */
describe.skipIf(!peersAvailable('sshd', 'ssh-keygen', 'puttygen'))('passphrases per key along a ProxyJump route, on two real sshd', () => {
  let keyDir: string;
  let outerKey: RigKey;
  let innerKey: RigKey;
  let outer: SshdPeer;
  let inner: SshdPeer;
  let echo: TcpPeer;
  let dataDir: string;
  let jumpgate: Jumpgate;
  let dispatch: JumpgateBridge['invoke'];
  let localPort: number;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jumpgate-route-keys-'));
    [outerKey, innerKey] = await Promise.all([
      makeOpenSshKey(keyDir, { type: 'ed25519', format: 'openssh', passphrase: 'outer passphrase' }),
      makePuttyKey(keyDir, { type: 'ed25519', ppkVersion: 3, passphrase: 'inner passphrase' }),
    ]);
    [outer, inner, echo] = await Promise.all([
      SshdPeer.start({ authorizedKeys: [outerKey.publicKey] }),
      SshdPeer.start({ authorizedKeys: [innerKey.publicKey] }),
      startEchoServer(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([outer?.dispose(), inner?.dispose(), echo?.close()]);
    rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jumpgate-route-data-'));
    jumpgate = await createJumpgate({ dataDir, version: 'test' });
    dispatch = invokerFor(createDispatcher(jumpgate.handlers));
    for (const sshd of [outer, inner]) {
      for (const hostKey of sshd.hostKeys) value(await dispatch('hostKeys:trust', { host: sshd.host, port: sshd.port, publicKey: hostKey.publicKey.split(' ')[1] ?? '' }));
    }
    localPort = await pickPort();
    value(
      await dispatch('profiles:save', {
        profile: proxyJumpProfile({ outer, outerKeyPath: outerKey.privatePath, inner, innerKeyPath: innerKey.privatePath, echoPort: echo.port, localPort }),
      }),
    );
  });
  afterEach(async () => {
    await jumpgate.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (unlock?: { passphrase: string; keyPath?: string }) => dispatch('tunnels:start', { profileId: 'chain', targetId: 'echo', ...(unlock ? { unlock } : {}) });

  it('asks for the outer hop key, then the jump host key, each by its path, then opens', async () => {
    const first = await start();
    expect(first).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED', details: { keyPath: outerKey.privatePath } } });
    expect(!first.ok && first.error.message).toContain(outerKey.privatePath);

    const second = await start({ passphrase: 'outer passphrase', keyPath: outerKey.privatePath });
    expect(second).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED', details: { keyPath: innerKey.privatePath } } });

    // No keyPath: the answer is for the jump host's own key, as before this issue.
    const opened = value(await start({ passphrase: 'inner passphrase' }));
    expect(opened.state.status).toBe('open');
    expect(await roundTrip(localPort, 'through two hops')).toBe('through two hops');
    expect(outer.connectionCount()).toBe(1);
    expect(inner.connectionCount()).toBe(1);

    // Both passphrases stay in memory for the session, each under its own key: a restart asks nothing.
    value(await dispatch('tunnels:stop', { profileId: 'chain', targetId: 'echo' }));
    expect(value(await start()).state.status).toBe('open');
    expect(await roundTrip(localPort, 'again')).toBe('again');
  });

  it('names the outer key when its passphrase is wrong, and forgets only that one', async () => {
    await start();
    const wrong = await start({ passphrase: 'not it', keyPath: outerKey.privatePath });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_PASSPHRASE', details: { keyPath: outerKey.privatePath } } });
    // Dropped: asked again for the outer key, not stuck on the wrong one.
    expect(await start()).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED', details: { keyPath: outerKey.privatePath } } });
  });

  it('the doctor asks for the jump host key on its key step, then the outer key on its host-key step, forgets a wrong one, and passes', async () => {
    const doctor = async (unlock?: { passphrase: string; keyPath?: string }) => {
      const report = value(await dispatch('diagnostics:run', { profileId: 'chain', targetId: 'echo', ...(unlock ? { unlock } : {}) }));
      return (id: string) => report.checks.find((check) => check.id === id);
    };
    let step = await doctor();
    expect(step('key')?.error).toMatchObject({ code: 'PASSPHRASE_REQUIRED', details: { keyPath: innerKey.privatePath } });
    step = await doctor({ passphrase: 'inner passphrase' });
    expect(step('key')?.status).toBe('pass');
    expect(step('host-key')?.error).toMatchObject({ code: 'PASSPHRASE_REQUIRED', details: { keyPath: outerKey.privatePath } });
    step = await doctor({ passphrase: 'not it', keyPath: outerKey.privatePath });
    expect(step('host-key')?.error).toMatchObject({ code: 'BAD_PASSPHRASE', details: { keyPath: outerKey.privatePath } });
    // The wrong one was dropped (the doctor reports rather than throws, and still forgets it); the inner one kept.
    step = await doctor();
    expect(step('key')?.status).toBe('pass');
    expect(step('host-key')?.error).toMatchObject({ code: 'PASSPHRASE_REQUIRED', details: { keyPath: outerKey.privatePath } });
    step = await doctor({ passphrase: 'outer passphrase', keyPath: outerKey.privatePath });
    expect([step('host-key')?.status, step('auth')?.status, step('forward')?.status]).toEqual(['pass', 'pass', 'pass']);
  });

  it('refuses a passphrase addressed to a key the profile does not use', async () => {
    const stray = await start({ passphrase: 'whatever', keyPath: join(keyDir, 'someone-elses-key') });
    expect(stray).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
