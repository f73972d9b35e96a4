/** PLACEHOLDER while the Audit screen is being built (issue #6); replaced before it lands. */
export function AuditScreen() {
  return <p>Audit</p>;
}
