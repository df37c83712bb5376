import { describe, expect, it } from 'vitest';
import { capUsedPercent } from '../pages/ConnectedApps';
import { deviceName } from '../pages/Services';
import { activityParams, matchesSearch } from './ActivityTable';
import { formatCredits, isLow } from './format';
import { safeNext } from './RequireAuth';

describe('safeNext', () => {
  it('returns only paths of this app; anything else goes to the dashboard', () => {
    expect(safeNext('/profile?tab=1')).toBe('/profile?tab=1');
    expect(safeNext(null)).toBe('/dashboard');
    expect(safeNext('https://evil.example/')).toBe('/dashboard');
    expect(safeNext('//evil.example/')).toBe('/dashboard');
    expect(safeNext('/\\evil.example/')).toBe('/dashboard');
  });
});

describe('activityParams', () => {
  it('sends only the filters set; "to" includes the whole chosen day', () => {
    const params = activityParams(
      { type: 'chat', service: ' chat ', from: '2026-05-01', to: '2026-05-31' },
      'c1',
    );
    expect(params.type).toBe('chat');
    expect(params.service).toBe('chat');
    expect(new Date(params.from!).getDate()).toBe(1);
    const to = new Date(params.to!);
    expect([to.getMonth(), to.getDate(), to.getHours()]).toEqual([5, 1, 0]);
    expect(params.cursor).toBe('c1');
    expect(activityParams({ type: null, service: '', from: '', to: '' })).toEqual({});
  });
});

describe('matchesSearch', () => {
  const row = {
    id: 'abc',
    type: 'deduct' as const,
    service: 'sora2-video',
    amount: '-7.5',
    metadata: { videoId: 'V-42' },
  };
  it('finds text in type, service, amount and metadata, any case', () => {
    expect(matchesSearch(row, 'SORA')).toBe(true);
    expect(matchesSearch(row, 'v-42')).toBe(true);
    expect(matchesSearch(row, '-7.5')).toBe(true);
    expect(matchesSearch(row, 'topup')).toBe(false);
    expect(matchesSearch(row, '  ')).toBe(true);
  });
});

describe('formatting', () => {
  it('groups credits and keeps up to 4 places', () => {
    expect(formatCredits('1234.56789', 'en')).toBe('1,234.5679');
    expect(formatCredits(null)).toBe('–');
  });
  it('warns below the threshold only, and never with threshold 0', () => {
    expect(isLow('9.99', 10)).toBe(true);
    expect(isLow('10', 10)).toBe(false);
    expect(isLow('0', 0)).toBe(false);
    expect(isLow(undefined, 10)).toBe(false);
  });
  it('names a device from its User-Agent', () => {
    expect(
      deviceName(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      ),
    ).toBe('Chrome · Windows');
    expect(deviceName(null)).toBe('–');
    expect(deviceName('curl/8.0')).toBe('curl/8.0');
  });
});

describe('capUsedPercent', () => {
  it('counts spent and held credits against the cap, at most 100, none without a cap', () => {
    expect(capUsedPercent({ period_cap: '50', spent_this_period: '12.5', held: '0' })).toBe(25);
    expect(capUsedPercent({ period_cap: '10', spent_this_period: '8', held: '4' })).toBe(100);
    expect(capUsedPercent({ period_cap: null, spent_this_period: '8', held: '0' })).toBeNull();
    expect(capUsedPercent({ period_cap: '0', spent_this_period: '0', held: '0' })).toBe(0);
  });
});
