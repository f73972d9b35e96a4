/**
 * Parsers for what Windows and macOS tools print about who listens on a TCP port. They take the
 * text the tool printed and nothing else, so the unit tests feed them recorded output from those
 * systems (electron/core/tunnels/fixtures/): this code cannot run those tools on Linux.
 */

/** A listening socket as `netstat -ano` reports it. */
export interface NetstatListener {
  /** The local address as printed: `127.0.0.1`, `0.0.0.0`, `[::]`, `[::1]`, `[fe80::1%4]`. */
  address: string;
  port: number;
  pid: number;
}

/** How an address conflicts with a bind on 127.0.0.1: an exact holder first, then the wildcards. */
const ADDRESS_PREFERENCE = ['127.0.0.1', '0.0.0.0', '[::]', '[::1]'];

/**
 * TCP sockets in LISTEN state from Windows `netstat -ano` (or `-ano -p TCP` / `-p TCPv6`).
 *
 * Only the columns that no Windows language translates are read: the header, the title and the
 * state word are localized ("LISTENING", "ABHÖREN", "ÉCOUTE", ...), so a listener is recognised by
 * its foreign address instead (`0.0.0.0:0` or `[::]:0`: nobody on the other end), and the PID is
 * the last column whatever the state column holds.
 */
export function parseNetstatListeners(text: string): NetstatListener[] {
  const listeners: NetstatListener[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || !/^TCP(v6)?$/i.test(fields[0] ?? '')) continue;
    const local = splitHostPort(fields[1] ?? '');
    const foreign = fields[2] ?? '';
    const pid = Number(fields[fields.length - 1]);
    if (!local || !/^(0\.0\.0\.0|\[::\]):0$/.test(foreign) || !Number.isInteger(pid) || pid < 0) continue;
    listeners.push({ ...local, pid });
  }
  return listeners;
}

/** The PID holding `port` among netstat's listeners, preferring the socket that really blocks 127.0.0.1. */
export function netstatHolderPid(listeners: readonly NetstatListener[], port: number): number | undefined {
  const onPort = listeners.filter((listener) => listener.port === port);
  const rank = (listener: NetstatListener): number => {
    const index = ADDRESS_PREFERENCE.indexOf(listener.address);
    return index === -1 ? ADDRESS_PREFERENCE.length : index;
  };
  return [...onPort].sort((a, b) => rank(a) - rank(b))[0]?.pid;
}

function splitHostPort(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { address: text.slice(0, colon), port };
}

/**
 * The image name for `pid` from `tasklist /FI "PID eq <pid>" /FO CSV /NH`: one quoted CSV row
 * per process (`"node.exe","4242","Console","1","45,012 K"`). With no match tasklist prints a
 * localized "INFO: ..." sentence instead, which is not a row and gives undefined.
 */
export function parseTasklistName(text: string, pid: number): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const fields = parseCsvLine(line.trim());
    if (fields.length >= 2 && fields[1] === String(pid) && fields[0]) return fields[0];
  }
  return undefined;
}

/**
 * A name decoded byte for byte (latin1) from a tool that printed it in an unknown OEM code page:
 * its ASCII is right and anything else would be a wrong letter, so that shows as '?' instead.
 */
export function oemTextAsAscii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** One CSV line with double-quoted fields ("" is a quote inside one), as tasklist writes it. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let index = 0;
  while (index < line.length) {
    if (line[index] === '"') {
      let value = '';
      index += 1;
      while (index < line.length) {
        if (line[index] === '"' && line[index + 1] === '"') {
          value += '"';
          index += 2;
        } else if (line[index] === '"') {
          index += 1;
          break;
        } else {
          value += line[index];
          index += 1;
        }
      }
      fields.push(value);
      // Skip to the field separator.
      while (index < line.length && line[index] !== ',') index += 1;
    } else {
      const end = line.indexOf(',', index);
      fields.push(line.slice(index, end === -1 ? line.length : end));
      index = end === -1 ? line.length : end;
    }
    if (line[index] === ',') {
      index += 1;
      if (index === line.length) fields.push('');
    }
  }
  return fields;
}

/** A process that lsof says holds a listening socket. */
export interface LsofProcess {
  pid: number;
  name: string;
}

/**
 * Processes from `lsof -nP -iTCP:<port> -sTCP:LISTEN -Fpc` (macOS, and lsof elsewhere): one
 * field per line, the first character naming it: `p` starts a process set (its PID), `c` is the
 * command name, and `f`/`n`/`t`... describe its files (lsof adds `f` whether asked or not). Lines
 * of other kinds are skipped, so a richer field list (-Fpcfn) parses the same.
 */
export function parseLsofFields(text: string): LsofProcess[] {
  const processes: LsofProcess[] = [];
  let current: LsofProcess | undefined;
  for (const line of text.split(/\r?\n/)) {
    const kind = line[0];
    const value = line.slice(1);
    if (kind === 'p') {
      const pid = Number(value);
      current = Number.isInteger(pid) && pid > 0 ? { pid, name: 'unknown' } : undefined;
      if (current) processes.push(current);
    } else if (kind === 'c' && current && value) {
      current.name = value;
    }
  }
  return processes;
}
