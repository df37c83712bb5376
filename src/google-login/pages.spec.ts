import { escapeHtml } from './pages';

describe('escapeHtml', () => {
  it('escapes everything that could open a tag or leave an attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });

  it('leaves Thai text and VERIFIED codes as they are', () => {
    expect(escapeHtml('Login สำเร็จ VERIFIED-aB_9-x')).toBe('Login สำเร็จ VERIFIED-aB_9-x');
  });
});
