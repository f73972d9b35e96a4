import * as z from '../zod';

export const THEMES = ['system', 'light', 'dark'] as const;
export const ThemeSchema = z.enum(THEMES);
export type Theme = z.infer<typeof ThemeSchema>;

/** The user's app-wide choices, kept by the service (settings.json in the data folder). Unknown keys are dropped. */
export const SettingsSchema = z.object({
  theme: z._default(ThemeSchema, 'system'),
  /**
   * The private key last made in Jumpgate's Keys screen: what a new starter logs in with unless they
   * say otherwise (issue #16: the follow form's key). Written by the service when it makes a key, never by a page.
   */
  lastCreatedKey: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** A change to some settings: only the keys given change. */
export const SettingsChangeSchema = z.strictObject({ theme: z.optional(ThemeSchema) });
export type SettingsChange = z.infer<typeof SettingsChangeSchema>;
