/**
 * The one way shared/ and the core import zod: its functional build, zod/mini, with English
 * messages.
 *
 * Why mini (issue #17, the shipped processes' idle weight): zod's classic API gives every schema
 * instance its own copy of some sixty methods (`.optional`, `.min`, ...), and the contract builds
 * thousands of instances; the same schemas written with zod/mini's functions (`z.optional(x)`,
 * `x.check(z.minLength(1))`) weigh a third as much, and only the functions used are bundled.
 * Parsing, issues and inferred types are zod's own either way.
 *
 * Why the locale: mini registers no messages of its own, and every issue would read "Invalid
 * input"; the profile editor, the CLI and PROFILE_INVALID show these messages to people.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
