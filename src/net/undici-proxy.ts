/**
 * undici's proxy agent (a CONNECT tunnel for HTTPS, Proxy-Authorization from the proxy URL), loaded
 * only when a proxy applies: with its SOCKS and pool modules it is a fifth of the undici a run
 * compiles otherwise. `undici.ts` is imported first, for the methods it gives every dispatcher.
 */
import './undici.js'
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js'

export const ProxyAgent = ProxyAgentClass
