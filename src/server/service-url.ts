/**
 * Whether replies may be sent to `serviceUrl`: an https URL, without credentials, whose host
 * matches one of `patterns` (`host`, `host:port`, or `*.domain` for any subdomain of domain, at
 * any depth, never the domain itself). Anything else (http, an IP address, a look-alike such as
 * `evil-botframework.com`, a port not named) is refused, so an anonymous or forged activity can
 * never make Dialogo POST its replies to an address of the caller's choosing.
 *
 * @example
 * serviceUrlAllowed('https://europe.webchat.botframework.com/', ['*.botframework.com']); // true
 * serviceUrlAllowed('http://10.0.0.5:8080/', ['*.botframework.com']); // false
 */
export function serviceUrlAllowed(serviceUrl: unknown, patterns: readonly string[]): boolean {
  if (typeof serviceUrl !== 'string') return false;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  const host = url.hostname.toLowerCase();
  return patterns.some((pattern) => {
    const portMatch = /^(.*):(\d{1,5})$/.exec(pattern);
    const name = (portMatch?.[1] ?? pattern).toLowerCase();
    if ((portMatch?.[2] ?? '') !== url.port) return false;
    if (name.startsWith('*.')) {
      const suffix = name.slice(1);
      return host.endsWith(suffix) && host.length > suffix.length;
    }
    return host === name;
  });
}
