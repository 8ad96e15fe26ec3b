/**
 * The parts of undici every RunCloud call needs — its connection pool and `request` — loaded without
 * the rest (docs/architecture.md, "One HTTP stack"). undici's index loads every part it has, its
 * cookie helpers among them, and those read `globalThis.Headers`, which makes Node load its own copy
 * of undici as well: two HTTP stacks compiled at every start. The proxy agent is in
 * `undici-proxy.ts`, loaded only when a proxy applies.
 */
import type * as Undici from 'undici'
import api from 'undici/lib/api/index.js'
import AgentClass from 'undici/lib/dispatcher/agent.js'
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js'

// What undici's index does once for every dispatcher: give it the API's methods (`request`, and the
// `connect` a ProxyAgent opens its CONNECT tunnel with). The proxy agent imports this module first.
Object.assign(DispatcherClass.prototype, api)

export const Agent = AgentClass

/** undici's `request(url, options)`: the request through `options.dispatcher`. */
export function request(
  url: URL,
  {
    dispatcher,
    ...options
  }: { dispatcher: Undici.Dispatcher } & Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'>
): Promise<Undici.Dispatcher.ResponseData> {
  return dispatcher.request({ ...options, origin: url.origin, path: `${url.pathname}${url.search}` })
}
