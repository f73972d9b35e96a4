import { describe, expect, it } from 'vitest';
import { slugify, uniqueSlug } from './ids';

describe('ids from names', () => {
  it('makes schema-valid slugs from what people type', () => {
    expect(slugify('Production (eu-west-2)')).toBe('production-eu-west-2');
    expect(slugify('Café Crème')).toBe('cafe-creme');
    expect(slugify('***')).toBe('profile');
    expect(slugify('***', 'target')).toBe('target');
    // Cut at 64 without leaving a dash at the end.
    expect(slugify(`${'a'.repeat(63)} b`)).toBe('a'.repeat(63));
  });

  it('numbers a taken slug and stays within 64 characters', () => {
    expect(uniqueSlug('Prod', new Set(['prod', 'prod-2']))).toBe('prod-3');
    expect(uniqueSlug('Prod', new Set())).toBe('prod');
    const long = 'x'.repeat(64);
    const next = uniqueSlug(long, new Set([long]));
    expect(next).toBe(`${'x'.repeat(62)}-2`);
    expect(next.length).toBeLessThanOrEqual(64);
  });
});
