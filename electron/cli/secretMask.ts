import { Transform, type TransformCallback } from 'node:stream';
import { NeedleAutomaton } from './needleAutomaton';

/** A stretch of input covered by secrets; `shown` once its replacement has been written out. */
interface CoveredRun {
  start: number;
  end: number;
  shown: boolean;
}

export interface SecretMaskOptions {
  /** What a stretch of secret becomes. */
  replacement?: Buffer;
  /**
   * After this long without new input, bytes held back because they could begin a
   * secret are written out anyway (issue #17: a prompt must never wait for the
   * user's answer to appear). Matching goes on from where it was, so if the rest
   * of a secret then arrives, the rest is still masked. `null`: hold until more
   * input or the end.
   */
  idleFlushMs?: number | null;
}

const EMPTY = Buffer.alloc(0);
const DEFAULT_IDLE_FLUSH_MS = 40;

/**
 * Run the automaton over `chunk` from `row` (a state times stride), appending each
 * match's end offset in the chunk and length to `matches`; returns the row at the end.
 * A plain function of locals, so the engine optimizes the loop on its own.
 */
function scan(automaton: NeedleAutomaton, chunk: Buffer, startRow: number, matches: number[]): number {
  const { scanTable, stride, byteClass, matchLength, skipWindow, skipBy } = automaton;
  const end = chunk.length;
  // `row` is the state times stride; negative where a needle ends (see NeedleAutomaton.scanTable).
  let row = startRow;
  let index = 0;
  while (index < end) {
    // In the start state no secret is under way, so whole windows that cannot begin one are
    // skipped (Wu-Manber). A window that might is read byte by byte until the automaton is back
    // at the start. The last bytes of a chunk (no whole window) are always read one by one,
    // so the state at the end is exact and so is what is held back.
    if (row === 0 && skipWindow !== 0) {
      while (index + skipWindow <= end) {
        const shift = skipBy[((chunk[index + skipWindow - 2] as number) << 8) | (chunk[index + skipWindow - 1] as number)] as number;
        if (shift === 0) break;
        index += shift;
      }
    }
    row = scanTable[row + (byteClass[chunk[index] as number] as number)] as number;
    index++;
    if (row < 0) {
      row = ~row;
      matches.push(index, matchLength[row / stride] as number);
    }
  }
  return row;
}

/**
 * Replace every occurrence of the given secrets in a byte stream, in one pass over
 * all of them (Aho-Corasick, see NeedleAutomaton), including occurrences split
 * across chunks.
 *
 * Every input byte that lies inside some occurrence of some secret is hidden, and
 * each unbroken stretch of hidden bytes becomes one replacement: overlapping or
 * touching occurrences (a password inside its own base64, `aa` in `aaa`) give one
 * `****`, and nothing of either shows.
 *
 * Held back is only what could still turn out to be part of a secret: the longest
 * tail of the input that is the beginning of some secret (the automaton's depth),
 * plus any covered stretch it touches. Everything before that is written out at
 * once, so `Apply 3 migrations? [y/N] ` appears while the child waits for input.
 */
export class SecretMask extends Transform {
  private readonly automaton: NeedleAutomaton | null;
  private readonly replacement: Buffer;
  private readonly idleFlushMs: number | null;
  private state = NeedleAutomaton.START;
  /** Input bytes read so far. */
  private seen = 0;
  /** Input before this offset has been written out (or replaced); `held` is the input from here to `seen`. */
  private resolved = 0;
  private held: Buffer = EMPTY;
  /** Covered stretches not yet wholly written out: sorted, apart (not touching), all ending after `resolved`. */
  private runs: CoveredRun[] = [];
  /** Where the last run already written out ended: a run starting right there continues its replacement. */
  private lastRunEnd = -1;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Scratch for scan(): end offset in the chunk and length of each match, in pairs. */
  private readonly matches: number[] = [];

  constructor(secrets: readonly string[], options: SecretMaskOptions = {}) {
    super();
    const needles = [...new Set(secrets)].filter((secret) => secret.length > 0).map((secret) => Buffer.from(secret, 'utf8'));
    this.automaton = needles.length > 0 ? new NeedleAutomaton(needles) : null;
    this.replacement = options.replacement ?? Buffer.from('****');
    this.idleFlushMs = options.idleFlushMs === undefined ? DEFAULT_IDLE_FLUSH_MS : options.idleFlushMs;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.stopIdleTimer();
    const automaton = this.automaton;
    if (!automaton) {
      this.push(chunk);
      done();
      return;
    }
    const base = this.seen;
    const matches = this.matches;
    const row = scan(automaton, chunk, this.state * automaton.stride, matches);
    for (let at = 0; at < matches.length; at += 2) {
      const matchEnd = base + (matches[at] as number);
      this.cover(matchEnd - (matches[at + 1] as number), matchEnd);
    }
    matches.length = 0;
    const state = row / automaton.stride;
    this.state = state;
    this.seen += chunk.length;
    this.writeOutUpTo(this.seen - (automaton.depth[state] as number), chunk, base);
    if (this.resolved < this.seen && this.idleFlushMs !== null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.writeOutUpTo(this.seen, EMPTY, this.seen);
      }, this.idleFlushMs);
      // Held bytes alone never keep the process alive: the end of input flushes them anyway.
      this.idleTimer.unref();
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.stopIdleTimer();
    this.writeOutUpTo(this.seen, EMPTY, this.seen);
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.stopIdleTimer();
    done(error);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Record that input [start, end) is secret; `end` is never before any earlier run's end. */
  private cover(start: number, end: number): void {
    // After an idle flush, the beginning of a secret may already be out; hide the rest.
    let from = Math.max(start, this.resolved);
    let shown = false;
    const runs = this.runs;
    for (let last = runs[runs.length - 1]; last && last.end >= from; last = runs[runs.length - 1]) {
      runs.pop();
      if (last.start <= from) {
        from = last.start;
        shown = last.shown;
      }
    }
    if (runs.length === 0 && from === this.lastRunEnd) shown = true;
    runs.push({ start: from, end, shown });
  }

  /**
   * Write out input [resolved, upTo) with covered runs replaced, and keep the rest
   * as `held`. The input from `resolved` on is `held` followed by `chunk` (which
   * starts at offset `base`).
   */
  private writeOutUpTo(upTo: number, chunk: Buffer, base: number): void {
    const held = this.held;
    const heldStart = this.resolved;
    const safe = Math.max(upTo, heldStart);
    const slice = (from: number, to: number, into: Buffer[]): void => {
      if (from < base) into.push(held.subarray(from - heldStart, Math.min(to, base) - heldStart));
      if (to > base) into.push(chunk.subarray(Math.max(from, base) - base, to - base));
    };
    const pieces: Buffer[] = [];
    let cursor = heldStart;
    while (this.runs.length > 0 && (this.runs[0] as CoveredRun).start < safe) {
      const run = this.runs[0] as CoveredRun;
      if (cursor < run.start) slice(cursor, run.start, pieces);
      if (!run.shown) pieces.push(this.replacement);
      if (run.end <= safe) {
        this.runs.shift();
        cursor = run.end;
        this.lastRunEnd = run.end;
      } else {
        // The run goes on into what is still held: its replacement is out, the rest stays hidden.
        run.shown = true;
        run.start = safe;
        cursor = safe;
      }
    }
    if (cursor < safe) slice(cursor, safe, pieces);
    const rest: Buffer[] = [];
    if (safe < this.seen) slice(safe, this.seen, rest);
    this.held = rest.length === 0 ? EMPTY : Buffer.concat(rest);
    this.resolved = safe;
    if (pieces.length === 1) this.push(pieces[0]);
    else if (pieces.length > 1) this.push(Buffer.concat(pieces));
  }
}
