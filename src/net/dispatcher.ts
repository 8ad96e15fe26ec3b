import type { Dispatcher } from 'undici'
import { Agent } from './undici.js'
import { describeProxy, proxyFor } from './proxy.js'

export { describeProxy, proxyFor }

export interface PoolOptions {
  /** Connections kept open to the API (or to the proxy). */
  connections: number
  keepAliveTimeout: number
}

/**
 * The connection pool for one API base URL: a ProxyAgent (an HTTPS URL is tunnelled with CONNECT;
 * user and password in the proxy URL become a Proxy-Authorization header) when a proxy applies,
 * else a plain Agent. TLS trusts what Node trusts, NODE_EXTRA_CA_CERTS included. The proxy agent
 * is loaded only then, so the pool comes as a promise; the proxy is named at once.
 */
export async function dispatcherFor(
  url: string,
  pool: PoolOptions,
  note?: (m: string) => void
): Promise<Dispatcher> {
  const connections = Math.max(1, pool.connections)
  const proxy = proxyFor(url)
  if (!proxy) return new Agent({ connections, keepAliveTimeout: pool.keepAliveTimeout })
  note?.(`Connecting to ${new URL(url).host} through the proxy ${describeProxy(proxy)}`)
  const { ProxyAgent } = await import('./undici-proxy.js')
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
