import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { encodeUriComponentStrict } from '../core/secrets/connectionStrings';
import { MIN_DERIVED_NEEDLE, secretEncodings } from './secretEncodings';
import { SecretMask } from './secretMask';

async function mask(secrets: readonly string[], text: string): Promise<string> {
  const transform = new SecretMask(secrets, { idleFlushMs: null });
  const out: Buffer[] = [];
  transform.on('data', (chunk: Buffer) => out.push(chunk));
  transform.end(text);
  await once(transform, 'end');
  return Buffer.concat(out).toString();
}

const PASSWORD = 'p@ss w/rd:é😀<&>"\\+~*!(x)';
const USER = 'app_user';

/** How each of these tools prints the password: every line must come out with it hidden. */
const PYTHON = String.raw`
import base64, binascii, json, sys, urllib.parse
user, pw = sys.argv[1], sys.argv[2]
b = pw.encode()
print('json.dumps', json.dumps({'password': pw}))
print('json.dumps unicode', json.dumps({'password': pw}, ensure_ascii=False))
print('quote', 'mysql://' + user + ':' + urllib.parse.quote(pw, safe='') + '@db')
print('quote_plus', urllib.parse.quote_plus(pw))
print('urlencode', urllib.parse.urlencode({'user': user, 'password': pw}))
print('Authorization: Basic', base64.b64encode((user + ':' + pw).encode()).decode())
for pad in range(3):
    print('blob', pad, base64.b64encode(b'{"k":"' + b'x' * pad + b + b'","n":1}').decode())
    print('urlsafe', pad, base64.urlsafe_b64encode(b'x' * pad + b + b'tail').decode().rstrip('='))
print('b64', base64.b64encode(b).decode())
print('hex', binascii.hexlify(b).decode(), b.hex().upper())
`;

describe('secretEncodings', () => {
  it('hides the password as Python, Node and URL encoders print it', async () => {
    const python = spawnSync('python3', ['-c', PYTHON, USER, PASSWORD], { encoding: 'utf8' });
    expect(python.stderr).toBe('');
    const url = new URL('mysql://db/');
    url.username = USER;
    url.password = PASSWORD;
    const node = [
      `JSON.stringify ${JSON.stringify({ password: PASSWORD })}`,
      `URL ${url.href}`,
      `encodeURIComponent ${encodeURIComponent(PASSWORD)} lower ${encodeURIComponent(PASSWORD).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`,
      `strict ${encodeUriComponentStrict(PASSWORD)}`,
      `URLSearchParams ${new URLSearchParams({ password: PASSWORD }).toString()}`,
      `php json_encode ${JSON.stringify(PASSWORD).replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}`,
    ].join('\n');
    const output = `${python.stdout}${node}\n`;
    const masked = await mask(secretEncodings(PASSWORD, USER), output);
    // Every line still says what it was, and now holds a mask instead of the password.
    for (const line of masked.trimEnd().split('\n')) expect(line).toContain('****');
    for (const needle of secretEncodings(PASSWORD, USER)) expect(masked).not.toContain(needle);
    expect(masked).not.toMatch(/p@ss/);
    expect(masked).toContain(`mysql://${USER}:****@db`);
    // The user name is not secret: only its part of the Basic credentials goes.
    expect(masked).toContain(`URL mysql://${USER}:****@db/`);
  });

  it('bounds the base64 and hex of a short password, never its own text', () => {
    expect(secretEncodings('a')).toEqual(['a']);
    expect(secretEncodings('a b')).toEqual(expect.arrayContaining(['a b', 'a%20b', 'a+b']));
    // 'ab!' is `YWIh` in base64 and `616221` in hex: too short to mask in other text.
    expect(secretEncodings('ab!')).toEqual(['ab!', 'ab%21']);
    expect(Math.min(...secretEncodings('abcdef').filter((needle) => needle !== 'abcdef').map((needle) => needle.length))).toBeGreaterThanOrEqual(MIN_DERIVED_NEEDLE);
    // Long enough passwords get every derived form, Basic credentials included when the user is known.
    const long = secretEncodings('correct horse', 'bob');
    expect(long).toEqual(expect.arrayContaining([Buffer.from('correct horse').toString('hex'), Buffer.from('bob:correct horse').toString('base64')]));
    expect(secretEncodings('')).toEqual([]);
  });
});
