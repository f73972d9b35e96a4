import { v8Collector } from './v8Collector';

/**
 * Young-generation collections paced by the bytes the tunnels move (issue #14: the engine's peak
 * under 500 parallel connections). Every chunk read from a socket, the SSH connection's or a local
 * client's, is a new buffer outside V8's heap (ssh2 decrypts a packet in place and hands out views
 * of that buffer as channel data), and each costs V8's own heap a hundred bytes or so for the
 * 32-64 KiB it holds outside. V8 times its young collections by its own heap's growth, so under a
 * bulk transfer tens of MB of buffers nobody holds any more wait for the next one, and glibc keeps
 * the pages they took after they are freed. Measured in the benchmark's engine (`npm run bench --
 * --only parallel`, full mode; BENCHMARKS.md "Young collections paced by traffic"): peak RSS under
 * 500 connections 114 MB (103-120) with the collections paced, 138 (127-139) without, aggregate
 * throughput within the runs' spread.
 *
 * So: each time `lookEvery` more bytes have passed through the tunnels, look at what buffers hold;
 * if that grew by `growth` since the last collection (V8 has not freed them itself), run one young
 * collection. It frees the young buffers nobody holds and costs well under a millisecond when the
 * young generation is small, as it is between steps. Buffers still held (a client that stopped
 * reading keeps its window's bytes) survive it; the look after is the new baseline, so held data
 * never triggers collection after collection. An idle process passes no bytes and is never woken.
 */
export interface GarbagePacerProbe {
  /** Bytes held by buffers outside V8's heap now (Node's `arrayBuffers`). */
  bufferBytes(): number;
  /** Run a young-generation collection; false if this runtime offers none. */
  collectYoung(): boolean;
}

const MiB = 1024 * 1024;

export interface GarbagePacerSteps {
  /** Look at the buffer total after this many bytes passed (a look also reads the resident set: tens of microseconds). */
  lookEvery: number;
  /** Collect once the buffer total grew by this much since the last collection. */
  growth: number;
}

/**
 * A look every 4 MiB (25-75 a second at a tunnel's 100-300 MB/s); a collection once 16 MiB more
 * is held, so at most one every 50-160 ms, while the buffers themselves live a few milliseconds.
 */
export const DEFAULT_PACER_STEPS: GarbagePacerSteps = { lookEvery: 4 * MiB, growth: 16 * MiB };

export class GarbagePacer {
  private sinceLook = 0;
  private baseline: number | undefined;
  private collectionsRun = 0;
  private noted = 0;
  private off = false;

  constructor(
    private readonly probe: GarbagePacerProbe,
    readonly steps: GarbagePacerSteps = DEFAULT_PACER_STEPS,
  ) {}

  /** Collections run so far (a test's, or a stats view's, window into it). */
  get collections(): number {
    return this.collectionsRun;
  }

  /** Bytes told so far, either way, all tunnels together. */
  get bytesNoted(): number {
    return this.noted;
  }

  /** `bytes` passed through a tunnel, either way. */
  note(bytes: number): void {
    this.noted += bytes;
    if (this.off) return;
    this.sinceLook += bytes;
    if (this.sinceLook < this.steps.lookEvery) return;
    this.sinceLook = 0;
    // This runs inside a socket's data event: whatever the probe meets (process.memoryUsage throws
    // when the system cannot say), the tunnel must not, so a failing probe just turns the pacing off.
    try {
      this.look();
    } catch {
      this.off = true;
    }
  }

  private look(): void {
    const held = this.probe.bufferBytes();
    if (this.baseline === undefined || held < this.baseline) {
      // The first look, or V8 freed them itself: measure growth from here.
      this.baseline = held;
      return;
    }
    if (held - this.baseline < this.steps.growth) return;
    if (!this.probe.collectYoung()) {
      this.off = true;
      return;
    }
    this.collectionsRun += 1;
    this.baseline = this.probe.bufferBytes();
  }
}

/** The probe on this process: Node's buffer total and V8's young-generation collection. */
export function processGarbageProbe(): GarbagePacerProbe {
  return {
    bufferBytes: () => process.memoryUsage().arrayBuffers,
    collectYoung: () => {
      const gc = v8Collector();
      if (!gc) return false;
      gc({ type: 'minor', execution: 'sync' });
      return true;
    },
  };
}

/** One per process: every tunnel's bytes count toward the same steps. */
export const processGarbagePacer = new GarbagePacer(processGarbageProbe());
