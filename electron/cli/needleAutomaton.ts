/**
 * Aho-Corasick over bytes, compiled to a full transition table (a DFA), so a
 * scan costs one table lookup per input byte whatever the number of needles.
 *
 * Written by hand: the maintained npm packages (`modern-ahocorasick`,
 * `@monyone/aho-corasick`) search JavaScript (UTF-16) strings, not bytes, and
 * return the matches of a whole text; a stream needs to resume a scan where a
 * chunk ended, inside a UTF-8 sequence or not, and to pass bytes that are not
 * text at all through unchanged. The others (`ahocorasick`, `aho-corasick`, ...)
 * are string-based too and unmaintained.
 *
 * Bytes that occur in no needle share one column of the table (`byteClass`), so
 * the table is states x (distinct needle bytes + 1), not states x 256: a few
 * hundred kilobytes for the couple of dozen encodings of a long password.
 */
export class NeedleAutomaton {
  /** The state before any input, and after input that cannot begin any needle. */
  static readonly START = 0;
  /** Columns per state in `scanTable`. */
  readonly stride: number;
  /** Byte -> column; 0 for bytes that occur in no needle. */
  readonly byteClass: Uint16Array;
  /**
   * The transitions: `scanTable[state * stride + byteClass[byte]]` is the state after
   * reading `byte`, times `stride` (no multiplication per byte), bit-inverted
   * (negative) where some needle ends on entering that state (one sign test per
   * byte, no second table lookup).
   */
  readonly scanTable: Int32Array;
  /** How many of the last bytes read a state stands for: the longest suffix of the input that is a prefix of some needle. */
  readonly depth: Int32Array;
  /** Length of the longest needle that ends where a state is reached; 0 when none does. */
  readonly matchLength: Int32Array;
  /**
   * Length of the window a scan may skip by: the shortest needle's length (at most
   * 255), or 0 when needles are too short for skipping to pay.
   */
  readonly skipWindow: number;
  /**
   * Wu-Manber's shift table over byte pairs: with the window at text[p, p + skipWindow),
   * `skipBy[text[p + w - 2] << 8 | text[p + w - 1]]` positions from p on can begin no
   * needle (a needle beginning there would hold that pair in its first w bytes, at a
   * place that makes the shift smaller). 0: one may begin at p.
   */
  readonly skipBy: Uint8Array;

  constructor(needles: readonly Uint8Array[]) {
    const byteClass = new Uint16Array(256);
    let classes = 1;
    for (const needle of needles) {
      for (const byte of needle) if (byteClass[byte] === 0) byteClass[byte] = classes++;
    }
    this.byteClass = byteClass;
    this.stride = classes;

    // The trie: children by column, depth, and the needle that ends at a node.
    const children: Array<Map<number, number>> = [new Map()];
    const depth: number[] = [0];
    const ends: number[] = [0];
    for (const needle of needles) {
      if (needle.length === 0) continue;
      let state = NeedleAutomaton.START;
      for (const byte of needle) {
        const column = byteClass[byte] as number;
        let child = children[state]?.get(column);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          depth.push((depth[state] as number) + 1);
          ends.push(0);
          children[state]?.set(column, child);
        }
        state = child;
      }
      ends[state] = needle.length;
    }

    // Breadth first, so a state's failure link (always shallower) is complete before the state itself.
    const states = children.length;
    const stride = this.stride;
    const next = new Int32Array(states * stride);
    const fail = new Int32Array(states);
    const matchLength = new Int32Array(states);
    const queue: number[] = [NeedleAutomaton.START];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const isStart = state === NeedleAutomaton.START;
      matchLength[state] = (ends[state] as number) || (isStart ? 0 : (matchLength[fail[state] as number] as number));
      for (let column = 0; column < stride; column++) {
        const child = children[state]?.get(column);
        const fallback = isStart ? NeedleAutomaton.START : (next[(fail[state] as number) * stride + column] as number);
        if (child === undefined) {
          next[state * stride + column] = fallback;
        } else {
          next[state * stride + column] = child;
          fail[child] = fallback;
          queue.push(child);
        }
      }
    }

    // Skipping needs windows of a few bytes; below that every byte is looked at anyway.
    const shortest = Math.min(255, ...needles.filter((needle) => needle.length > 0).map((needle) => needle.length));
    this.skipWindow = shortest >= 4 ? shortest : 0;
    this.skipBy = new Uint8Array(this.skipWindow ? 65536 : 0).fill(this.skipWindow - 1);
    for (const needle of this.skipWindow ? needles : []) {
      for (let at = 0; at + 1 < this.skipWindow; at++) {
        const pair = ((needle[at] as number) << 8) | (needle[at + 1] as number);
        this.skipBy[pair] = Math.min(this.skipBy[pair] as number, this.skipWindow - 2 - at);
      }
    }
    this.scanTable = next.map((target) => (matchLength[target] ? ~(target * stride) : target * stride));
    this.depth = Int32Array.from(depth);
    this.matchLength = matchLength;
  }
}
