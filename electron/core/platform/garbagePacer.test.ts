import { describe, expect, it } from 'vitest';
import { GarbagePacer, processGarbageProbe, type GarbagePacerProbe } from './garbagePacer';

const MiB = 1024 * 1024;
/** The production steps, spelt out so the test reads on its own: a look every 4 MiB, a collection after 16 MiB of growth. */
const STEPS = { lookEvery: 4 * MiB, growth: 16 * MiB };

/** A probe whose buffer total the test sets, counting the collections asked of it. */
function fakeProbe(options: { canCollect?: boolean; afterCollection?: (held: number) => number } = {}): GarbagePacerProbe & { held: number; looks: number; asked: number } {
  const fake = {
    held: 0,
    looks: 0,
    asked: 0,
    bufferBytes: () => {
      fake.looks += 1;
      return fake.held;
    },
    collectYoung: () => {
      fake.asked += 1;
      if (options.canCollect === false) return false;
      fake.held = options.afterCollection ? options.afterCollection(fake.held) : 0;
      return true;
    },
  };
  return fake;
}

/** One look step of traffic with buffers holding each of `heldMiB` in turn; returns the collections asked for so far. */
function stepsWith(pacer: GarbagePacer, probe: { held: number; asked: number }, ...heldMiB: number[]): number {
  for (const held of heldMiB) {
    probe.held = held * MiB;
    pacer.note(STEPS.lookEvery);
  }
  return probe.asked;
}

describe('GarbagePacer (young collections paced by traffic)', () => {
  it('does not look at memory until a look step of bytes has passed, counting small chunks together', () => {
    const probe = fakeProbe();
    const pacer = new GarbagePacer(probe, STEPS);
    for (let i = 0; i < 63; i++) pacer.note(64 * 1024);
    expect(probe.looks).toBe(0);
    pacer.note(64 * 1024);
    expect(probe.looks).toBe(1);
    expect(pacer.bytesNoted).toBe(4 * MiB);
  });

  it('collects once buffers grew by a step since the baseline, and takes the look after as the new baseline', () => {
    const probe = fakeProbe({ afterCollection: (held) => held - 20 * MiB });
    const pacer = new GarbagePacer(probe, STEPS);
    // The first look sets the baseline (10); 40 is 30 more.
    expect(stepsWith(pacer, probe, 10, 40)).toBe(1);
    expect(pacer.collections).toBe(1);
    // 20 MiB is still held after it (a client not reading): that is the baseline now, so it is not collected again and again.
    expect(stepsWith(pacer, probe, 30, 32)).toBe(1);
    expect(stepsWith(pacer, probe, 37)).toBe(2);
  });

  it('leaves it to V8 when V8 freed the buffers itself: a lower reading lowers the baseline', () => {
    const probe = fakeProbe();
    const pacer = new GarbagePacer(probe, STEPS);
    expect(stepsWith(pacer, probe, 30, 5, 20)).toBe(0);
    expect(stepsWith(pacer, probe, 21)).toBe(1);
  });

  it('stops looking where the runtime offers no collection', () => {
    const probe = fakeProbe({ canCollect: false });
    const pacer = new GarbagePacer(probe, STEPS);
    expect(stepsWith(pacer, probe, 0, 64)).toBe(1);
    const looks = probe.looks;
    for (let i = 0; i < 10; i++) pacer.note(4 * MiB);
    expect(probe.looks).toBe(looks);
    expect(pacer.collections).toBe(0);
  });

  it('turns itself off, without throwing into the tunnel, when the probe fails', () => {
    const probe = fakeProbe();
    const pacer = new GarbagePacer(probe, STEPS);
    probe.bufferBytes = () => {
      probe.looks += 1;
      throw Object.assign(new Error('uv_resident_set_memory: EMFILE'), { code: 'EMFILE' });
    };
    expect(() => pacer.note(4 * MiB)).not.toThrow();
    for (let i = 0; i < 10; i++) pacer.note(4 * MiB);
    expect(probe.looks).toBe(1);
    expect(pacer.bytesNoted).toBe(44 * MiB);
  });

  it("gets a young collection from this process's V8 without --expose-gc, and reads a buffer total", () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const probe = processGarbageProbe();
    const held = probe.bufferBytes();
    expect(Number.isFinite(held) && held >= 0).toBe(true);
    expect(probe.collectYoung()).toBe(true);
    // The flag went off again: nothing else in the process got a `gc`.
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
