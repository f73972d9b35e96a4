/**
 * The pool key: one SSH connection per (user, host, port, route). Kept apart
 * from the zod schemas in jumpHost.ts so the engine, which only needs this and
 * the types, does not load the validation library into its process.
 */
export function jumpHostKey(
  hop: { user: string; host: string; port: number },
  via: ReadonlyArray<{ user: string; host: string; port: number }> = [],
): string {
  const route = via.map((outer) => `${outer.user}@${outer.host}:${outer.port}`).join(',');
  return `${hop.user}@${hop.host}:${hop.port}${route ? ` via ${route}` : ''}`;
}
