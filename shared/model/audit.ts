/** What the local audit log records; shared so the UI can name each kind. Values never appear in it. */
export const AUDIT_KINDS = [
  'tunnel-opened',
  'tunnel-closed',
  'tunnel-idle-closed',
  'password-revealed',
  'password-copied',
  /** Handed to a command (jumpgate exec) in its environment, masked in its output. */
  'password-used',
  'connection-string-copied',
  'ip-allowed',
  'ip-removed',
  'snapshot-restored',
  'restored-deleted',
  'shell-opened',
  'shell-closed',
  'key-generated',
  'host-key-trusted',
  /** Pins removed from known_hosts (jumpgate host-key forget), with their fingerprints. */
  'host-key-forgotten',
  /** A team source's version applied here (issue #16): its profiles and the host keys it pinned without a question. */
  'team-followed',
  /** Profiles published to a team source (issue #16). */
  'team-published',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  /** The OS account that did it. */
  user: string;
  kind: AuditKind;
  profileId?: string;
  targetId?: string;
  /** A sentence about what happened: names, ports, IPs and ids; never a password, passphrase or key. */
  detail: string;
}
