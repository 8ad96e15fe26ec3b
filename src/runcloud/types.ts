import type { Words } from '../words.js'
import type { Dispatcher } from 'undici'
import type { Redirection } from '../manifest/types.js'

/** A domain as RunCloud reports it, with booleans already made booleans. */
export interface LiveDomain {
  id: number
  name: string
  /**
   * `primary` or `alias`; older apps may also have `redirect`. Kept as RunCloud sends it; absent
   * when RunCloud did not say (a settings change then sends no type).
   */
  type?: string
  www: boolean
  redirection: Redirection
}

export interface DomainSettings {
  www: boolean
  redirection: Redirection
}

/** What a write came to. `noop` = it was already so (already live, already gone). */
export interface WriteOutcome {
  status: 'done' | 'noop'
  /** The domain as it stands afterwards (add/update); absent for removals. */
  domain?: LiveDomain
  detail?: string
}

export interface SslMode {
  advanced: boolean
  autoSsl: boolean
}

/** A certificate as read back: `undefined` when none is installed (404 or a 200 without an id). */
export interface Certificate {
  id: number
}

/**
 * The action's only contact with RunCloud. Every method counts its HTTP calls in `calls`.
 * Errors thrown are `RunCloudError`, whose message never contains a credential.
 */
export interface RunCloudApi {
  readonly calls: number
  readonly legacy: boolean
  ping(): Promise<void>
  /** Resolve a server given by id (returned as is, no call) or by exact name. */
  resolveServer(server: number | string): Promise<number>
  /** Resolve a web app given by id (returned as is, no call) or by exact name on that server. */
  resolveApp(serverId: number, app: number | string): Promise<number>
  listServers(): Promise<{ id: number; name: string }[]>
  listApps(serverId: number): Promise<{ id: number; name: string }[]>
  /** One server: its name and `ipAddress`, the address a new domain's DNS must point at. */
  getServer(serverId: number): Promise<{ id: number; name: string; ipAddress?: string }>
  /** Every domain of the app, all pages. */
  listDomains(serverId: number, appId: number): Promise<LiveDomain[]>
  /** One domain by id; undefined when it does not exist (404). */
  getDomain(serverId: number, appId: number, domainId: number): Promise<LiveDomain | undefined>
  /**
   * Add as alias. Done only when the answer or a read-back shows the domain; already live (422
   * and found on reading back) → `noop`.
   */
  addDomain(serverId: number, appId: number, name: string, settings: DomainSettings): Promise<WriteOutcome>
  updateDomain(
    serverId: number,
    appId: number,
    domain: LiveDomain,
    settings: DomainSettings
  ): Promise<WriteOutcome>
  /** Remove by id. Already gone (404 or absent on read-back) → `noop`. */
  removeDomain(serverId: number, appId: number, domain: LiveDomain): Promise<WriteOutcome>
  getSslMode(serverId: number, appId: number): Promise<SslMode>
  getBasicCertificate(serverId: number, appId: number): Promise<Certificate | undefined>
  redeployBasicCertificate(serverId: number, appId: number, sslId: number): Promise<void>
  getDomainCertificate(serverId: number, appId: number, domainId: number): Promise<Certificate | undefined>
  redeployDomainCertificate(serverId: number, appId: number, domainId: number, sslId: number): Promise<void>
  installDomainCertificate(serverId: number, appId: number, domainId: number): Promise<void>
}

export interface ClientOptions {
  baseUrl: string
  /** The front door's words, for messages that say where the token goes (default: the action's). */
  words?: Words
  /** v3 Bearer token; when absent, `apiKey`/`apiSecret` are used with HTTP Basic (legacy v2). */
  token?: string
  apiKey?: string
  apiSecret?: string
  /** Requests in flight at once. */
  concurrency: number
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number
  /** Retries for reads, 429 and connection failures (default 4). */
  retries?: number
  /** Answers larger than this are an error (default 10 MiB). */
  maxBodyBytes?: number
  /** The HTTP dispatcher (default: the runner's proxy settings decide, see src/net/dispatcher). */
  dispatcher?: Dispatcher
  /** Base of the exponential backoff between retries, ms (default 500). */
  backoffMs?: number
  /** Called with human-readable notes (retries, waits); never given a credential. */
  log?: (message: string) => void
  /** Injected for tests: sleep, random, and the clock pacing reads (which `sleep` moves). */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
}
