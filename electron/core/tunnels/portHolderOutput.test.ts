import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  netstatHolderPid,
  oemTextAsAscii,
  parseCsvLine,
  parseLsofFields,
  parseNetstatListeners,
  parseTasklistName,
} from './portHolderOutput';

/**
 * The fixtures are written to match what these tools print on Windows 10/11 and macOS (same
 * columns, CRLF line ends and OEM code page bytes for Windows): none of them can be run here.
 * They are read byte for byte and decoded as the runner decodes them (latin1).
 */
function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', name)).toString('latin1');
}

describe('netstat -ano (Windows)', () => {
  const english = parseNetstatListeners(fixture('netstat-ano.en-US.txt'));

  it('keeps only TCP listeners, IPv4 and IPv6, with their PIDs', () => {
    expect(english).toContainEqual({ address: '127.0.0.1', port: 13306, pid: 7312 });
    expect(english).toContainEqual({ address: '[::1]', port: 13306, pid: 7312 });
    expect(english).toContainEqual({ address: '[::]', port: 23306, pid: 6604 });
    // Established, TIME_WAIT and UDP rows are not listeners, even on the same port.
    expect(english.filter((listener) => listener.port === 13306)).toHaveLength(2);
    expect(english.some((listener) => listener.port === 13307)).toBe(false);
    expect(english.some((listener) => listener.port === 5353)).toBe(false);
    expect(english.some((listener) => listener.port === 51234)).toBe(false);
  });

  it('finds the holder of a port, preferring the socket bound to 127.0.0.1', () => {
    expect(netstatHolderPid(english, 13306)).toBe(7312);
    expect(netstatHolderPid(english, 15432)).toBe(5120);
    // Held on the IPv6 wildcard only: [::] is dual-stack on Windows and blocks 127.0.0.1 too.
    expect(netstatHolderPid(english, 23306)).toBe(6604);
    expect(netstatHolderPid(english, 13307)).toBeUndefined();
  });

  it('reads a German netstat (localized header and state, code page 850) by its columns, not its words', () => {
    const text = fixture('netstat-ano.de-DE.cp850.txt');
    expect(text).toContain('Aktive Verbindungen');
    const german = parseNetstatListeners(text);
    expect(netstatHolderPid(german, 13306)).toBe(2244);
    expect(german.filter((listener) => listener.port === 13306).map((listener) => listener.address)).toEqual(['0.0.0.0', '[::]']);
    // HERGESTELLT (established), SCHLIESSEN_WARTEN and WARTEND rows are not listeners.
    expect(netstatHolderPid(german, 15432)).toBeUndefined();
    expect(german.some((listener) => listener.pid === 8816)).toBe(false);
  });

  it('ignores text that is not a netstat table', () => {
    expect(parseNetstatListeners('')).toEqual([]);
    expect(parseNetstatListeners('The requested operation requires elevation.\r\n')).toEqual([]);
    expect(parseNetstatListeners('  TCP    nonsense    0.0.0.0:0    LISTENING    12\r\n')).toEqual([]);
  });
});

describe('tasklist /FI "PID eq N" /FO CSV /NH (Windows)', () => {
  it('names the process', () => {
    expect(parseTasklistName(fixture('tasklist-pid-7312.en-US.csv'), 7312)).toBe('mysqld.exe');
  });

  it('a name outside ASCII, printed in code page 850, shows its ASCII and ? for the rest, never wrong letters', () => {
    const name = parseTasklistName(fixture('tasklist-pid-2244.de-DE.cp850.csv'), 2244);
    expect(name && oemTextAsAscii(name)).toBe('L?fter-Dienst.exe');
  });

  it('the localized "no tasks" sentence is no name, in any language', () => {
    expect(parseTasklistName(fixture('tasklist-no-match.en-US.txt'), 7312)).toBeUndefined();
    expect(parseTasklistName(fixture('tasklist-no-match.de-DE.cp850.txt'), 2244)).toBeUndefined();
  });

  it('a row for another PID is not this one', () => {
    expect(parseTasklistName('"svchost.exe","1140","Services","0","12,004 K"\r\n', 7312)).toBeUndefined();
  });

  it('splits CSV with quoted commas and doubled quotes', () => {
    expect(parseCsvLine('"a,b.exe","12","Console","1","1,024 K"')).toEqual(['a,b.exe', '12', 'Console', '1', '1,024 K']);
    expect(parseCsvLine('"say ""hi""",2,')).toEqual(['say "hi"', '2', '']);
    expect(parseCsvLine('')).toEqual([]);
  });
});

describe('lsof -nP -iTCP:PORT -sTCP:LISTEN -F (macOS)', () => {
  it('reads the process from -Fpc, skipping the file lines lsof adds', () => {
    expect(parseLsofFields(fixture('lsof-Fpc.macos.txt'))).toEqual([{ pid: 612, name: 'postgres' }]);
  });

  it('reads every process from a richer field list', () => {
    expect(parseLsofFields(fixture('lsof-Fpcfn.macos.txt'))).toEqual([
      { pid: 1733, name: 'node' },
      { pid: 1790, name: 'node' },
    ]);
  });

  it('nothing listening (lsof prints nothing) is no process', () => {
    expect(parseLsofFields('')).toEqual([]);
  });
});
