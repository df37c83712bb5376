import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { th } from './th';

export const LANGUAGES = ['th', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'sah.language';

/** The saved choice, else Thai when the browser lists Thai before English, else English. */
export function preferredLanguage(saved: string | null, browser: readonly string[]): Language {
  if (saved === 'th' || saved === 'en') return saved;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'th') return 'th';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void i18next.changeLanguage(language);
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function initI18n(): typeof i18next {
  const lng = preferredLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, th: { translation: th } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng;
  i18next.on('languageChanged', (l) => (document.documentElement.lang = l));
  return i18next;
}
