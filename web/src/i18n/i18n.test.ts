import { describe, expect, it } from 'vitest';
import { adminEn } from './admin-en';
import { adminTh } from './admin-th';
import { en } from './en';
import { preferredLanguage } from './i18n';
import { th } from './th';

describe('preferredLanguage', () => {
  it('is Thai when the browser lists Thai before English', () => {
    expect(preferredLanguage(null, ['th-TH', 'en-US'])).toBe('th');
    expect(preferredLanguage(null, ['en-GB', 'th'])).toBe('en');
    expect(preferredLanguage(null, ['fr-FR'])).toBe('en');
  });

  it('keeps the choice made with the switch', () => {
    expect(preferredLanguage('en', ['th-TH'])).toBe('en');
    expect(preferredLanguage('th', ['en-US'])).toBe('th');
    expect(preferredLanguage('xx', ['th-TH'])).toBe('th');
  });
});

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('translations', () => {
  it('Thai has every English key, and each with the same {{placeholders}}', () => {
    // The admin console's strings come with its chunk; checked here all the same.
    const enAll = { ...en, admin: adminEn };
    const thAll = { ...th, admin: adminTh };
    expect(keys(thAll)).toEqual(keys(enAll));
    const lookup = (tree: object, key: string) =>
      key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], tree) as string;
    for (const key of keys(enAll)) {
      const holes = (s: string) => (s.match(/{{\w+}}/g) ?? []).sort();
      expect([key, holes(lookup(thAll, key))]).toEqual([key, holes(lookup(enAll, key))]);
    }
  });
});
