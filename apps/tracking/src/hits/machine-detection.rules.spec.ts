import { isMachineHit } from './machine-detection.rules';

const IPHONE_MAIL =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const OUTLOOK = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)';

const hit = (userAgent: string | undefined, ip = '198.51.100.7', method = 'GET') => ({ userAgent, ip, method });

describe(isMachineHit.name, () => {
  it.each([
    ['Apple Mail on iPhone', IPHONE_MAIL],
    ['Chrome', CHROME],
    ['the Gmail image proxy (fetches when the person opens)', GMAIL_PROXY],
    ['Outlook', OUTLOOK],
  ])('R-K4: %s is a person', (_, ua) => {
    expect(isMachineHit(hit(ua))).toBe(false);
  });

  it('R-K4: Apple Mail Privacy Protection (bare "Mozilla/5.0") is a machine', () => {
    expect(isMachineHit(hit('Mozilla/5.0'))).toBe(true);
  });

  it.each(['17.58.100.3', '::ffff:17.58.100.3'])('R-K4: a fetch from Apple’s network %s is a machine', (ip) => {
    expect(isMachineHit(hit(IPHONE_MAIL, ip))).toBe(true);
  });

  it.each([
    'Mozilla/5.0 (compatible; Google-Safety; +http://www.google.com/bot.html)',
    'Barracuda Sentinel (EE)',
    'Mimecast-URL-Protect/1.0',
    'Proofpoint URL Defense',
    'Microsoft Office Existence Discovery',
    'Microsoft Office Word 2014',
    'ms-office; MSOffice 16',
    'Mozilla/5.0 (SafeLinks)',
    'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'WhatsApp link preview',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'Go-http-client/1.1',
  ])('R-K4: the scanner or prefetcher %p is a machine', (ua) => {
    expect(isMachineHit(hit(ua))).toBe(true);
  });

  it.each([undefined, '', '  '])('R-K4: no user agent (%p) is a machine', (ua) => {
    expect(isMachineHit(hit(ua))).toBe(true);
  });

  it('R-K4: a HEAD request is a link checker, whatever its user agent', () => {
    expect(isMachineHit(hit(CHROME, '198.51.100.7', 'HEAD'))).toBe(true);
  });
});
