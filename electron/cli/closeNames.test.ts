import { describe, expect, it } from 'vitest';
import { closeNames } from './closeNames';

describe('did-you-mean suggestions', () => {
  const profiles = ['production', 'prod-eu', 'staging', 'analytics-reporting', 'dev'];

  it('ranks by similarity: a prefix, then a name that contains it, then typos', () => {
    expect(closeNames('prod', profiles)).toEqual(['prod-eu', 'production']);
    expect(closeNames('porduction', profiles)).toEqual(['production']);
    expect(closeNames('reporting', profiles)).toEqual(['analytics-reporting']);
    expect(closeNames('stagign', profiles)).toEqual(['staging']);
    expect(closeNames('dve', profiles)).toEqual(['dev']);
  });

  it('suggests nothing when nothing is close', () => {
    expect(closeNames('billing', profiles)).toEqual([]);
    expect(closeNames('x', profiles)).toEqual([]);
    expect(closeNames('', profiles)).toEqual([]);
  });
});
