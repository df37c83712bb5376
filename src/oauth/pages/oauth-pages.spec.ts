import { consentPage, loginPage, pickLanguage } from './oauth-pages';

describe('OAuth pages', () => {
  it('picks ?lang first, then Accept-Language, Thai by default', () => {
    expect(pickLanguage('en', 'th-TH')).toBe('en');
    expect(pickLanguage(undefined, 'en-GB,en;q=0.9,th;q=0.8')).toBe('en');
    expect(pickLanguage(undefined, 'th;q=1, en;q=0.5')).toBe('th');
    expect(pickLanguage(undefined, 'fr-FR')).toBe('th');
    expect(pickLanguage('xx', undefined)).toBe('th');
  });

  it('escapes everything an app or a person typed', () => {
    const login = loginPage({
      lang: 'en',
      path: '/oauth/interaction/abc',
      app: { name: '<script>x</script>', logoUri: 'javascript:alert(1)' },
      csrf: 't"k',
      email: '"><img>',
    });
    expect(login.body).not.toContain('<script>');
    expect(login.body).not.toContain('javascript:');
    expect(login.body).toContain('value="t&quot;k"');
    expect(login.body).toContain('value="&quot;&gt;&lt;img&gt;"');
  });

  it('the consent page names the scopes in words and the proposed cap; no cap field without spending', () => {
    const spend = consentPage({
      lang: 'th',
      path: '/p',
      app: { name: 'GPT' },
      csrf: 'c',
      email: 'a@b.c',
      scopes: ['credits:read', 'credits:spend'],
      period: 'month',
      periodCap: '50',
      totalCap: null,
    });
    expect(spend.body).toContain('ดูยอดเครดิตของคุณ');
    expect(spend.body).toContain('<label for="period_cap">');
    expect(spend.body).toContain('value="50"');
    expect(spend.body).not.toContain('total_cap');
    const read = consentPage({
      lang: 'en',
      path: '/p',
      app: { name: 'GPT' },
      csrf: 'c',
      email: 'a@b.c',
      scopes: ['credits:read'],
      period: 'day',
      periodCap: '5',
      totalCap: null,
    });
    expect(read.body).toContain('See your credit balance');
    expect(read.body).not.toContain('period_cap');
  });
});
