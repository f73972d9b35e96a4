import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One place a secret was found. Never holds the secret itself, so a failing assertion does not print it. */
export interface SecretHit {
  file: string;
  /** Which encoding matched: 'utf8', 'utf16le', 'percent', 'json', 'base64', 'hex', ... */
  form: string;
  offset: number;
}

/** The secret as bytes in every form a program might plausibly store it. */
function secretForms(secret: string): Array<{ form: string; bytes: Buffer }> {
  const forms = new Map<string, Buffer>();
  const add = (form: string, text: string | Buffer) => {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (bytes.length === 0) return;
    // Two encodings that agree (an all-alphanumeric secret) are reported once.
    for (const existing of forms.values()) if (existing.equals(bytes)) return;
    forms.set(form, bytes);
  };
  add('utf8', secret);
  add('utf16le', Buffer.from(secret, 'utf16le'));
  add('percent', encodeURIComponent(secret));
  add('percent-strict', encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  add('percent-lower', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  add('form', new URLSearchParams({ x: secret }).toString().slice(2));
  add('json', JSON.stringify(secret).slice(1, -1));
  add('json-ascii', JSON.stringify(secret).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  add('hex', Buffer.from(secret, 'utf8').toString('hex'));
  add('HEX', Buffer.from(secret, 'utf8').toString('hex').toUpperCase());
  // Base64 of a secret inside a longer value depends on where it starts (offset
  // mod 3). For each alignment, encode with that many filler bytes in front and
  // keep only the characters that depend on the secret's bytes alone.
  const raw = Buffer.from(secret, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), raw]);
    const encoded = padded.toString('base64');
    const firstWhole = shift === 0 ? 0 : 4; // the first group mixes filler and secret
    const wholeGroups = Math.floor(padded.length / 3) * 4; // the last partial group mixes secret and what follows
    const stable = encoded.slice(firstWhole, wholeGroups);
    // Too short to mean anything (a short secret can have no stable run): skip.
    if (stable.length >= 8) {
      add(`base64+${shift}`, stable);
      add(`base64url+${shift}`, stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].map(([form, bytes]) => ({ form, bytes }));
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
    // Symbolic links are not followed: a target inside `dir` is scanned where it
    // is, and one outside is not the app's data. Sockets and FIFOs hold no bytes.
  }
}

/**
 * Every place under `dir` (recursively, every regular file, binary included)
 * where `secret` appears raw (UTF-8 or UTF-16), percent-encoded (URL and form
 * styles), JSON-escaped, hex or base64 (any alignment). An empty array means
 * none. Used to prove that a full run leaves no password in the app's data
 * directory or logs.
 */
export async function findSecretOnDisk(dir: string, secret: string): Promise<SecretHit[]> {
  if (secret.length < 4) throw new Error('findSecretOnDisk needs a secret of at least 4 characters to mean anything');
  const forms = secretForms(secret);
  const hits: SecretHit[] = [];
  for await (const file of filesUnder(dir)) {
    const content = await readFile(file).catch(() => undefined);
    if (!content) continue;
    for (const { form, bytes } of forms) {
      const offset = content.indexOf(bytes);
      if (offset >= 0) hits.push({ file, form, offset });
    }
  }
  return hits;
}
