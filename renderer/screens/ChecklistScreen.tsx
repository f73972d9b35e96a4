/** PLACEHOLDER while the Checklist screen is being built (issue #6); replaced before it lands. */
export function ChecklistScreen() {
  return <p>Checklist</p>;
}
