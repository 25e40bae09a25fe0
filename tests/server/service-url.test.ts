import { DEFAULT_BOT_SERVICE_URL_HOSTS } from '../../src/config';
import { serviceUrlAllowed } from '../../src/server/service-url';

describe('serviceUrlAllowed with the default Bot Framework hosts', () => {
  test.each([
    'https://webchat.botframework.com/',
    'https://europe.webchat.botframework.com/',
    'https://directline.botframework.com/v3/',
    'https://facebook.botframework.com',
    'https://smba.trafficmanager.net/emea/',
    'https://WEBCHAT.BotFramework.com/',
    'https://webchat.botframework.azure.us/',
  ])('%s is allowed', (url) => {
    expect(serviceUrlAllowed(url, DEFAULT_BOT_SERVICE_URL_HOSTS)).toBe(true);
  });

  test.each([
    ['http, not https', 'http://webchat.botframework.com/'],
    ['the bare domain of a *. pattern', 'https://botframework.com/'],
    ['a look-alike suffix', 'https://evil-botframework.com/'],
    ['the domain inside another', 'https://webchat.botframework.com.evil.example/'],
    ['a trailing dot', 'https://webchat.botframework.com./'],
    ['credentials in the URL', 'https://user:pass@webchat.botframework.com/'],
    ['a port not named', 'https://webchat.botframework.com:8443/'],
    ['an internal address', 'https://10.0.0.5/'],
    ['localhost', 'https://localhost:3978/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['another subdomain of trafficmanager.net', 'https://evil.trafficmanager.net/'],
    ['not a URL', 'webchat.botframework.com'],
    ['a file URL', 'file:///etc/passwd'],
    ['no serviceUrl', undefined],
    ['a number', 42],
  ])('%s is refused', (_name, url) => {
    expect(serviceUrlAllowed(url, DEFAULT_BOT_SERVICE_URL_HOSTS)).toBe(false);
  });

  test('a pattern with a port allows that port only', () => {
    expect(serviceUrlAllowed('https://hub.example.it:8443/', ['hub.example.it:8443'])).toBe(true);
    expect(serviceUrlAllowed('https://hub.example.it/', ['hub.example.it:8443'])).toBe(false);
  });
});
