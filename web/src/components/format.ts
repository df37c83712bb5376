/** Credits are decimal strings on the wire; shown with grouping and up to 4 places. */
export function formatCredits(value: string | number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || value === '') return '–';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(n);
}

export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** The low-credit warning level, per browser; 0 turns the warning off. */
export function isLow(available: string | undefined, threshold: number): boolean {
  if (available === undefined || threshold <= 0) return false;
  return Number(available) < threshold;
}
