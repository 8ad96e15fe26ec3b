// The rules module alone: @actions/http-client's index would load its HTTP stack (undici) with it.
import { getProxyUrl } from '@actions/http-client/lib/proxy'

/**
 * The proxy a request to `url` goes through, as the runner's other tools choose it: `HTTPS_PROXY`
 * (or `HTTP_PROXY` for `http://` URLs), lower case first, unless `NO_PROXY` names the host or the
 * host is loopback. The rules are @actions/http-client's own, so both APIs (RunCloud and GitHub)
 * are proxied alike. `undefined`: connect directly.
 */
export function proxyFor(url: string): URL | undefined {
  let proxy: string
  try {
    proxy = getProxyUrl(new URL(url))?.href ?? ''
  } catch {
    return undefined // not a URL: the request itself will fail with a clearer message
  }
  if (!proxy) return undefined
  let parsed: URL
  try {
    parsed = new URL(proxy)
  } catch {
    return undefined
  }
  // A value without a host (say `proxy:3128`, read as a scheme) is ignored, as @actions/http-client does.
  return parsed.hostname && (parsed.protocol === 'http:' || parsed.protocol === 'https:') ? parsed : undefined
}

/** The proxy's address for a log line: credentials in the proxy URL are never shown. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`
}
