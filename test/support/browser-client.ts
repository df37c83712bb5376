import { checkFetched } from './contract';

/**
 * Just enough of a browser for OAuth redirects: follows nothing by itself, keeps cookies per
 * host:port the way a browser would for the Set-Cookie it receives, and records every URL.
 * What the hub answers is checked against its OpenAPI document (test/support/contract.ts).
 */
export class BrowserClient {
  private readonly jar = new Map<string, Map<string, string>>();
  readonly visited: string[] = [];

  /** `headers`: sent with every request, e.g. the X-Forwarded-For a proxy in front would add. */
  constructor(private readonly extraHeaders: Record<string, string> = {}) {}

  async get(url: string): Promise<Response> {
    this.visited.push(url);
    const target = new URL(url);
    const cookies = this.jar.get(target.host);
    const headers: Record<string, string> = {
      'User-Agent': 'BrowserClient/1.0 (test)',
      ...this.extraHeaders,
    };
    if (cookies?.size) {
      headers.Cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const res = await fetch(url, { redirect: 'manual', headers });
    await checkFetched(url, 'GET', res);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a));
      const jar = this.jar.get(target.host) ?? new Map<string, string>();
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
      this.jar.set(target.host, jar);
    }
    return res;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.jar.set(host, jar);
  }

  /** Follows redirects until a response that is not one; returns it with its URL. */
  async follow(url: string, maxHops = 5): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let hop = 0; hop <= maxHops; hop++) {
      const res = await this.get(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      current = new URL(location, current).toString();
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }
}
