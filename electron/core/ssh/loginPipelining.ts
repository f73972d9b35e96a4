import type { Client } from 'ssh2';

/**
 * The first login request sent right behind the request for the user-auth service, instead of a
 * round trip later when the service is accepted (issue #14: each round trip is 50-150 ms to a
 * jump box abroad). SSH servers read a connection's messages in order, so the login request is
 * read once the service is set up: OpenSSH's sshd installs its user-auth handler while handling
 * the service request, before it reads the next message, and Go's x/crypto/ssh reads the login
 * right after the service request it answered.
 *
 * When: the moment the server's EXT_INFO arrives (RFC 8308; OpenSSH 7.2 and later send it right
 * after their NEWKEYS, so it comes a round trip before SERVICE_ACCEPT). Not earlier, because the
 * first attempt may be an agent's RSA key, whose signature ssh2 chooses from EXT_INFO's
 * `server-sig-algs`; and a server that sends no EXT_INFO logs in the usual way, on SERVICE_ACCEPT.
 *
 * How: ssh2 (1.17.0, pinned) starts the login from its SERVICE_ACCEPT message handler. Here that
 * handler is called once early, and the server's own SERVICE_ACCEPT, when it comes, is taken as
 * the answer already acted on. loginPipelining.test.ts fails if the handlers it uses move. Call
 * right after `client.connect()`.
 */
export function pipelineLogin(client: Client): void {
  const protocol = pipelinable(client);
  if (!protocol) return;
  const { _handlers: handlers, service } = protocol;
  const accept = handlers.SERVICE_ACCEPT;
  const extInfo = handlers.EXT_INFO;
  let requested = false;
  let started = false;
  let answered = false;

  protocol.service = function (this: PipelinableProtocol, name: string) {
    if (name === USER_AUTH) requested = true;
    return service.call(this, name);
  };
  handlers.EXT_INFO = (self, extensions) => {
    extInfo(self, extensions);
    if (!requested || started || answered) return;
    started = true;
    accept(self, USER_AUTH);
  };
  handlers.SERVICE_ACCEPT = (self, name) => {
    if (name === USER_AUTH && !answered) {
      answered = true;
      if (started) return;
    }
    accept(self, name);
  };
}

const USER_AUTH = 'ssh-userauth';

/** The parts of ssh2's protocol object used here (lib/protocol/Protocol.js, lib/client.js's message handlers). */
interface Ssh2Protocol {
  service(name: string): void;
  _handlers?: {
    SERVICE_ACCEPT?: (self: unknown, name: string) => void;
    EXT_INFO?: (self: unknown, extensions: unknown) => void;
  };
}

type Handler<A> = (self: unknown, argument: A) => void;
type PipelinableProtocol = Ssh2Protocol & { _handlers: { SERVICE_ACCEPT: Handler<string>; EXT_INFO: Handler<unknown> } };

/** The client's protocol object if it has the internals `pipelineLogin` uses, else undefined. */
function pipelinable(client: Client): PipelinableProtocol | undefined {
  const protocol = (client as unknown as { _protocol?: Ssh2Protocol })._protocol;
  return typeof protocol?.service === 'function' && typeof protocol._handlers?.SERVICE_ACCEPT === 'function' && typeof protocol._handlers.EXT_INFO === 'function'
    ? (protocol as PipelinableProtocol)
    : undefined;
}

/** Whether this ssh2 has the internals `pipelineLogin` uses (the runtime half of its guard). */
export function canPipelineLogin(client: Client): boolean {
  return pipelinable(client) !== undefined;
}
