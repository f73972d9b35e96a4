import { encodeUriComponentStrict } from '../core/secrets/connectionStrings';

/**
 * Shortest base64 or hex text masked when it is only derived from the password
 * (a piece of a longer base64 text, a hex dump): those alphabets fill ordinary
 * output (hashes, ids, payloads), and a 4-character base64 piece would turn up
 * in any few kilobytes of it and be masked for nothing. 8 characters are 48 bits
 * of base64 (one chance in 2.8e14 per position of random base64) or 32 bits of
 * hex (one false mask per ~4 GB of random hex). Below that, a password of 1 to 5
 * bytes still has its raw, URL, form and JSON forms masked however short they are
 * (the password itself must never show, even if every `a` in the output then
 * goes), but not its base64 or hex.
 */
export const MIN_DERIVED_NEEDLE = 8;

const BASE64_URL: Record<string, string> = { '+': '-', '/': '_' };

/**
 * Every form in which `password` shows up in real tools' output, as needles for
 * SecretMask (`jumpgate exec`, issue #17): the raw text; percent-encoded as URLs
 * carry it; form-encoded; inside a JSON string as the common encoders write it;
 * base64 (alone, inside longer base64 text at each of the 3 alignments, and as
 * HTTP Basic `user:password` when the user is known); hex.
 */
export function secretEncodings(password: string, username?: string): string[] {
  if (password.length === 0) return [];
  const needles = new Set<string>([password]);
  const add = (value: string): void => {
    if (value.length > 0) needles.add(value);
  };
  const addDerived = (value: string): void => {
    if (value.length >= MIN_DERIVED_NEEDLE) needles.add(value);
  };

  for (const encoded of percentForms(password)) {
    add(encoded);
    add(lowerHexEscapes(encoded));
  }
  for (const encoded of jsonForms(password)) add(encoded);

  const bytes = Buffer.from(password, 'utf8');
  for (const text of [bytes.toString('base64'), ...base64Inner(bytes)]) {
    addDerived(text);
    addDerived(text.replace(/[+/]/g, (char) => BASE64_URL[char] as string).replace(/=+$/, ''));
  }
  if (username !== undefined) addDerived(Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
  const hex = bytes.toString('hex');
  addDerived(hex);
  addDerived(hex.toUpperCase());
  return [...needles];
}

/**
 * URL and form encodings: encodeURIComponent (most JavaScript), the strict
 * variant our own connection strings use (also Python's quote(safe='')), the
 * WHATWG URL's userinfo set (what `new URL(...)` prints, in Node and browsers),
 * encodeURI (a whole URL encoded at once), and application/x-www-form-urlencoded,
 * where a space is `+` (URLSearchParams, Python's urlencode / quote_plus, PHP's
 * urlencode). An encoder that escapes yet another subset of characters is not
 * covered: the forms are needles, not a pattern.
 */
function percentForms(password: string): string[] {
  const component = encodeURIComponent(password);
  const strict = encodeUriComponentStrict(password);
  const form = new URLSearchParams({ p: password }).toString().slice('p='.length);
  const url = new URL('http://host/');
  url.password = password;
  return [component, strict, url.password, encodeURI(password), form, component.replace(/%20/g, '+'), strict.replace(/%20/g, '+')];
}

/** Java's URLEncoder and Go's url.QueryEscape write upper-case hex, but Ruby's CGI.escape before 2.x, some shells and hand-rolled encoders write lower case. */
function lowerHexEscapes(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/**
 * The password inside a JSON string, without the quotes, as encoders write it:
 * JSON.stringify; Python's json.dumps and Jackson's ESCAPE_NON_ASCII (non-ASCII
 * as \u escapes, lower and upper-case hex); PHP's json_encode (also `\/`); Go's
 * encoding/json (`<`, `>`, `&`, U+2028 and U+2029 as \u escapes).
 */
function jsonForms(password: string): string[] {
  const plain = JSON.stringify(password).slice(1, -1);
  const escape = (text: string, pattern: RegExp, upper = false): string =>
    text.replace(pattern, (char) => {
      const hex = (char.charCodeAt(0) as number).toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    });
  // JSON.stringify leaves non-ASCII as is and escapes only controls, `"` and `\`, so each char below is one UTF-16 unit.
  const nonAscii = /[\u0080-\uffff]/g;
  const asciiOnly = escape(plain, nonAscii);
  return [
    plain,
    asciiOnly,
    escape(plain, nonAscii, true),
    asciiOnly.replace(/\//g, '\\/'),
    escape(plain, /[<>&\u2028\u2029]/g),
  ];
}

/**
 * The base64 characters that depend on the password's bytes alone when it sits
 * inside a longer base64 text (an Authorization: Basic header, a base64 config
 * blob) at offset 0, 1 or 2 modulo 3. Character j covers bits [6j, 6j + 6) of the
 * stream, so with `shift` unknown bytes before the password, the characters from
 * ceil(8 * shift / 6) up to (not including) floor(8 * (shift + n) / 6) are the
 * password's own.
 */
function base64Inner(bytes: Buffer): string[] {
  const pieces: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    // Zeros around the password stand for the unknown neighbours; the characters kept never see them.
    const text = Buffer.concat([Buffer.alloc(shift), bytes, Buffer.alloc(3)]).toString('base64');
    const from = Math.ceil((8 * shift) / 6);
    const to = Math.floor((8 * (shift + bytes.length)) / 6);
    if (to > from) pieces.push(text.slice(from, to));
  }
  return pieces;
}
