/** The portal's home page: a link there tells the citizen nothing, so editors must mark it. */
export const PORTAL_HOME_PAGE = 'https://www.comune.milano.it';

/**
 * A URL reduced to what decides the page a citizen lands on: host in lower case without `www.`,
 * no trailing slash, no fragment. Two links with the same key open the same page.
 */
export function linkKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.trim();
  }
  const host = parsed.host.toLowerCase().replace(/^www\./, '');
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${host}${path}${parsed.search}`;
}

/** True when the two URLs open the same page (so printing both would repeat one link). */
export function sameLink(a: string, b: string): boolean {
  return linkKey(a) === linkKey(b);
}

/** True when the URL is the portal's home page, with or without `www.`, `http` or a trailing slash. */
export function isPortalHomePage(url: string): boolean {
  return sameLink(url, PORTAL_HOME_PAGE);
}
