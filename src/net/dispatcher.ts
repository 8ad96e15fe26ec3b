import { getProxyUrl } from '@actions/http-client'
import { Agent, ProxyAgent, type Dispatcher } from 'undici'

export interface PoolOptions {
  /** Connections kept open to the API (or to the proxy). */
  connections: number
  keepAliveTimeout: number
}

/**
 * The proxy a request to `url` goes through, as the runner's other tools choose it: `HTTPS_PROXY`
 * (or `HTTP_PROXY` for `http://` URLs), lower case first, unless `NO_PROXY` names the host or the
 * host is loopback. The rules are @actions/http-client's own (the GitHub client uses the same
 * library), so both APIs are proxied alike. `undefined`: connect directly.
 */
export function proxyFor(url: string): URL | undefined {
  let proxy: string
  try {
    proxy = getProxyUrl(url)
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

/**
 * The connection pool for one API base URL: a ProxyAgent (an HTTPS URL is tunnelled with CONNECT;
 * user and password in the proxy URL become a Proxy-Authorization header) when a proxy applies,
 * else a plain Agent. TLS trusts what Node trusts, NODE_EXTRA_CA_CERTS included.
 */
export function dispatcherFor(url: string, pool: PoolOptions, note?: (m: string) => void): Dispatcher {
  const connections = Math.max(1, pool.connections)
  const proxy = proxyFor(url)
  if (!proxy) return new Agent({ connections, keepAliveTimeout: pool.keepAliveTimeout })
  note?.(`Connecting to ${new URL(url).host} through the proxy ${describeProxy(proxy)}`)
  return new ProxyAgent({ uri: proxy.href, connections, keepAliveTimeout: pool.keepAliveTimeout })
}

/**
 * A proxy's refusal in words, or undefined for any other error. undici reports a CONNECT answered
 * with anything but 200 as an aborted request, which would otherwise read like a timeout.
 */
export function proxyRefusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  const status = /^Proxy response \((\d{3})\) !== 200/.exec(message)?.[1]
  if (!status) return undefined
  const hint =
    status === '407'
      ? ': check the user and password in the proxy URL (HTTPS_PROXY)'
      : ': check HTTPS_PROXY and NO_PROXY'
  return `the proxy refused the connection with HTTP ${status}${hint}`
}
