/**
 * ssh2's values (its client, agents, key parser and key generator), required from the files that
 * define them rather than imported from the package's index (issue #17's idle weight), for two
 * reasons measured in a bare Node 22 (RSS 1 s after loading):
 * - the index also loads ssh2's HTTP(S) agents, and with them Node's http, https and tls, and its
 *   SSH server, none of which Jumpgate uses: 3 MB;
 * - `import`ing CommonJS from an ES module (the CLI ships as ES modules) has Node's ESM loader
 *   lex each file for its export names, which left 2.5-9 MB more resident than `require` for
 *   these four files (71.0 and 65.7 MB against 60.1 MB; the index by `import`: 63.3 MB).
 * The CLI's chunks and main's CommonJS bundle have a `require` of their own; from source it
 * resolves from the checkout (platform/installedRequire.ts). Types still come from 'ssh2' itself
 * (`import type`); lint refuses a value import of the index outside tests.
 *
 * ssh2 has no `exports` map, so Node resolves these paths as it resolves the index; they are not a
 * promise of ssh2's, which is why ssh2Parts.test.ts holds each to the index's own export and fails
 * if a release moves or renames one.
 */
import type * as Ssh2 from 'ssh2';
import { installedRequire } from '../platform/installedRequire';

const load = installedRequire();

const agentFile = load('ssh2/lib/agent.js') as Pick<typeof Ssh2, 'BaseAgent' | 'OpenSSHAgent' | 'createAgent'>;
const keyParserFile = load('ssh2/lib/protocol/keyParser.js') as Pick<typeof Ssh2.utils, 'parseKey'>;
const keygenFile = load('ssh2/lib/keygen.js') as Pick<typeof Ssh2.utils, 'generateKeyPair'>;

export const Client = load('ssh2/lib/client.js') as typeof Ssh2.Client;
export type Client = Ssh2.Client;

export const BaseAgent = agentFile.BaseAgent;
export type BaseAgent = Ssh2.BaseAgent;

export const OpenSSHAgent = agentFile.OpenSSHAgent;
export type OpenSSHAgent = Ssh2.OpenSSHAgent;

export const createAgent = agentFile.createAgent;

export const parseKey = keyParserFile.parseKey;

export const generateKeyPair = keygenFile.generateKeyPair;
