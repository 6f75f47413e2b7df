import { campaignLinksKey, isLinkIndex, redirectableUrl } from './links.rules';

describe('links rules', () => {
  it.each([
    ['https://shop.example.com/sale?utm_source=mail#top', 'https://shop.example.com/sale?utm_source=mail#top'],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://Example.COM/a b', 'https://example.com/a%20b'],
  ])('R-K3: %s is a redirect target (%s)', (url, expected) => {
    expect(redirectableUrl(url)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'ftp://example.com/file',
    '//evil.example/',
    '/relative/path',
    'https://user:pass@example.com/',
    'not a url',
    '',
    `https://example.com/${'a'.repeat(3000)}`,
    42,
    null,
  ])('R-K3: %p is never a redirect target', (url) => {
    expect(redirectableUrl(url)).toBeNull();
  });

  it.each([
    [0, true],
    [65535, true],
    [65536, false],
    [-1, false],
    [1.5, false],
    ['1', false],
  ])('link index %p valid: %p', (index, valid) => {
    expect(isLinkIndex(index)).toBe(valid);
  });

  it('R-P2: the Redis key starts with the region and tenant', () => {
    expect(campaignLinksKey('EEA', 't1', 'c1')).toBe('eea:t:t1:c:c1:links');
  });
});
