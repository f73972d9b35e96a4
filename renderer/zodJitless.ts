import { config } from 'zod';

/**
 * Imported first by main.tsx, before any schema in shared/ is built. zod 4 probes whether it may
 * compile parsers with `new Function` when the first object schema is made; under the page's CSP
 * (script-src 'self', no 'unsafe-eval') the probe throws, zod falls back to its interpreter, and
 * the browser still reports a script-src violation for the attempt. `jitless` skips the probe:
 * the same parsers as before, and no violation (issue #13: the page keeps its strict CSP clean).
 */
config({ jitless: true });
