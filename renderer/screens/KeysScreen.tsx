/** PLACEHOLDER while the Keys screen is being built (issue #6); replaced before it lands. */
export function KeysScreen() {
  return <p>Keys</p>;
}
