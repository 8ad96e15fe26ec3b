import { ACTION_WORDS } from '../words.js'
import { domainToASCII } from 'node:url'
import { request } from 'undici'
import { dispatcherFor, proxyRefusal } from '../net/dispatcher.js'
import type { Redirection } from '../manifest/types.js'
import { plain } from '../text/clean.js'
import { excerpt, RunCloudError, scrub, UnansweredError } from './errors.js'
import { Pacer } from './pacer.js'
import type {
  Certificate,
  ClientOptions,
  DomainSettings,
  LiveDomain,
  RunCloudApi,
  SslMode,
  WriteOutcome
} from './types.js'

const PER_PAGE = 40
/** RunCloud's page size when `perPage` is not honoured (docs/runcloud-api.md). */
const DEFAULT_PAGE_SIZE = 20
const MAX_PAGES = 500
/** 429s tolerated for one request before giving up (each waits out the window). */
const MAX_RATE_RETRIES = 30
/** A write that may have landed is re-sent at most this many times after reading back. */
const MAX_WRITE_ATTEMPTS = 3
/** Connection errors that prove the request never reached the server: safe to send again, even a write. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

/** The documented body of an advanced-SSL install (docs/runcloud-api.md). */
const INSTALL_BODY = {
  provider: 'letsencrypt',
  authorizationMethod: 'http-01',
  environment: 'live',
  enableHttp: false,
  enableHsts: false
}

interface Answer {
  status: number
  body: unknown
}

type Query = Record<string, string | number | undefined>

const REDIRECTIONS: readonly Redirection[] = ['none', 'www', 'non-www']

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true'
}

function toLiveDomain(raw: unknown): LiveDomain | undefined {
  if (!raw || typeof raw !== 'object') return undefined
  const o = raw as Record<string, unknown>
  if (typeof o.name !== 'string' || o.id === undefined) return undefined
  const redirection = REDIRECTIONS.find(r => r === o.redirection) ?? 'none'
  // Compared with the manifest's ASCII names: a name RunCloud kept in its Unicode form still matches.
  const lower = o.name.trim().toLowerCase().replace(/\.$/, '')
  return {
    id: Number(o.id),
    name: (/[^ -~]/.test(lower) && domainToASCII(lower)) || lower,
    type: typeof o.type === 'string' ? o.type : 'alias',
    www: truthy(o.www),
    redirection
  }
}

function messageOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message
  }
  return undefined
}

function fieldsOf(body: unknown): Record<string, string[]> | undefined {
  const e = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined
  if (!e || typeof e !== 'object') return undefined
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(e as Record<string, unknown>))
    out[k] = Array.isArray(v) ? v.map(String) : [String(v)]
  return out
}

function certificateOf(body: unknown): Certificate | undefined {
  if (!body || typeof body !== 'object') return undefined
  const o = body as Record<string, unknown>
  const inner =
    o.data && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : o
  const id = Number(inner.id)
  return Number.isInteger(id) && id > 0 ? { id } : undefined
}

/**
 * Page totals from either envelope shape (`meta.pagination.total_pages`, or `meta.lastPage`),
 * and the item total and page size when given.
 */
function pagesOf(body: unknown): { pages?: number; items?: number; perPage?: number } {
  const meta =
    body && typeof body === 'object' ? (body as { meta?: Record<string, unknown> }).meta : undefined
  const p =
    meta?.pagination && typeof meta.pagination === 'object'
      ? (meta.pagination as Record<string, unknown>)
      : undefined
  const num = (...vs: unknown[]): number | undefined => {
    for (const v of vs) {
      const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN
      if (Number.isInteger(n) && n >= 0) return n
    }
    return undefined
  }
  const pages = num(p?.total_pages, meta?.lastPage, meta?.last_page, p?.lastPage)
  const perPage = num(p?.per_page, meta?.per_page, meta?.perPage)
  return {
    pages: pages !== undefined && pages > 0 ? pages : undefined,
    items: num(p?.total, meta?.total),
    perPage: perPage !== undefined && perPage > 0 ? perPage : undefined
  }
}

const id = (n: number): string => {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RunCloudError(`invalid id ${String(n)}: ids must be integers`)
  return String(n)
}

export function createClient(options: ClientOptions): RunCloudApi {
  const base = options.baseUrl.replace(/\/+$/, '')
  const legacy = !options.token
  const provideToken = (options.words ?? ACTION_WORDS).provideToken
  const secrets = [
    options.token,
    options.apiKey,
    options.apiSecret,
    options.apiKey && options.apiSecret ? `${options.apiKey}:${options.apiSecret}` : undefined
  ].filter((s): s is string => !!s)
  const authorization = options.token
    ? `Bearer ${options.token}`
    : `Basic ${Buffer.from(`${options.apiKey ?? ''}:${options.apiSecret ?? ''}`).toString('base64')}`
  const timeoutMs = options.timeoutMs ?? 30_000
  const retries = options.retries ?? 4
  const backoffMs = options.backoffMs ?? 500
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  // Every line handed out is scrubbed too: bodies quoted in notes could echo a credential. And
  // kept on one line: a message with a line break could start a workflow command in the job log.
  const log = (m: string): void => options.log?.(plain(scrub(m, secrets)))
  const pacer = new Pacer(Math.max(1, options.concurrency), options.rateWindowMs ?? 60_000, sleep)
  const dispatcher = dispatcherFor(base, { connections: options.concurrency, keepAliveTimeout: 10_000 }, log)
  let calls = 0
  /** A 401 means the credentials are wrong for the whole run: later calls fail without a request. */
  let credentialsRefused: RunCloudError | undefined

  const fail = (message: string, status?: number, fields?: Record<string, string[]>) =>
    new RunCloudError(message, { status, fields, secrets })
  const backoff = async (attempt: number, why: string): Promise<void> => {
    const ms = Math.min(10_000, backoffMs * 2 ** attempt) * (0.5 + random())
    log(`RunCloud: ${why}; retrying in ${(ms / 1000).toFixed(1)} s`)
    await sleep(ms)
  }

  function refused(status: number): RunCloudError {
    return fail(
      legacy
        ? `RunCloud refused the API key and secret (HTTP ${status}). API v2 is discontinued for most accounts: create an API v3 token in RunCloud (Settings → API Key), ${provideToken}.`
        : `RunCloud refused the API token (HTTP ${status}). Create an API v3 token in RunCloud (Settings → API Key), ${provideToken}.`,
      status
    )
  }

  /**
   * One API call with pacing, a timeout, and retries: reads retry on 5xx and connection failures;
   * writes never retry blindly (they throw UnansweredError so the caller reads the state back);
   * any call waits out a 429 and retries (RunCloud did not process it).
   */
  async function call(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; write?: boolean } = {}
  ): Promise<Answer> {
    // Anything that came from the manifest (a search by name) is escaped as a URI component.
    const search = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&')
    const url = new URL(`${base}${path}${search ? `?${search}` : ''}`)
    const what = `${method} ${path}`
    if (credentialsRefused) throw credentialsRefused
    let attempt = 0
    let rateRetries = 0
    for (;;) {
      await pacer.acquire()
      let status: number
      let headers: Record<string, string | string[] | undefined>
      let text: string
      try {
        calls++
        const res = await request(url, {
          method: method as 'GET',
          dispatcher,
          signal: AbortSignal.timeout(timeoutMs),
          headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body)
        })
        status = res.statusCode
        headers = res.headers
        text = await res.body.text()
      } catch (e) {
        pacer.release()
        const err = e as { name?: string; code?: string; message?: string }
        const kind =
          proxyRefusal(e) ??
          (err.name === 'TimeoutError' || err.name === 'AbortError'
            ? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
            : `connection failed (${err.code ?? err.name ?? 'error'})`)
        // A write may have landed unless the connection was never made: the caller reads back.
        if (opts.write && !NOT_SENT.has(err.code ?? ''))
          throw new UnansweredError(`${what}: ${kind}`, { secrets })
        if (attempt < retries) {
          await backoff(attempt++, `${what}: ${kind}`)
          continue
        }
        throw fail(`RunCloud did not answer ${what}: ${kind}, after ${attempt + 1} attempts`)
      }
      // Observe before release: requests woken by the release see the budget this answer brought.
      pacer.observe(status, headers)
      pacer.release()
      if (status === 429) {
        if (rateRetries++ < MAX_RATE_RETRIES) {
          log(`RunCloud rate limit reached (HTTP 429); waiting as the API asks`)
          continue
        }
        throw fail(`RunCloud kept answering HTTP 429 (rate limit) to ${what}`, 429)
      }
      let body: unknown
      let json = true
      try {
        body = text === '' ? {} : JSON.parse(text)
      } catch {
        json = false
      }
      if (status >= 500 || (!json && status >= 200 && status < 300)) {
        const detail = json ? (messageOf(body) ?? '') : `non-JSON body "${excerpt(text, secrets)}"`
        const why = `HTTP ${status}${detail ? `: ${detail}` : ''}`
        if (opts.write) throw new UnansweredError(`${what}: ${why}`, { status, secrets })
        if (attempt < retries) {
          await backoff(attempt++, `${what}: ${why}`)
          continue
        }
        throw fail(`RunCloud answered ${what} with ${why}, after ${attempt + 1} attempts`, status)
      }
      if (status === 401) throw (credentialsRefused = refused(status))
      if (status === 403) throw refused(status)
      if (status >= 400) {
        const msg = json ? (messageOf(body) ?? `HTTP ${status}`) : `non-JSON body "${excerpt(text, secrets)}"`
        const fields = json ? fieldsOf(body) : undefined
        // Laravel's message is often the first field error itself: say each thing once.
        const extra = [...new Set(Object.values(fields ?? {}).flat())].filter(m => !msg.includes(m))
        const detail = extra.length ? ` (${extra.join(' ')})` : ''
        throw fail(`RunCloud answered ${what} with HTTP ${status}: ${msg}${detail}`, status, fields)
      }
      return { status, body }
    }
  }

  /**
   * Every page of a list, at one call a page: stops at the last page by the totals when given,
   * else at a short or empty page. Bounded, and a server that ignores `page` is caught at once.
   */
  async function listAll<T>(
    path: string,
    map: (raw: unknown) => T | undefined,
    query: Query = {}
  ): Promise<T[]> {
    const out: T[] = []
    let seen = 0
    let previous = ''
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { body } = await call('GET', path, { query: { ...query, page, perPage: PER_PAGE } })
      const data = body && typeof body === 'object' ? (body as { data?: unknown }).data : undefined
      if (!Array.isArray(data))
        throw fail(`RunCloud answered GET ${path} without a "data" list (page ${page}); is api-url right?`)
      if (data.length === 0) return out
      const fingerprint = JSON.stringify(data)
      if (page > 1 && fingerprint === previous)
        throw fail(
          `RunCloud answered GET ${path} with the same items for page ${page - 1} and ${page}; stopping`
        )
      previous = fingerprint
      seen += data.length
      for (const raw of data) {
        const item = map(raw)
        if (item !== undefined) out.push(item)
      }
      const { pages, items, perPage } = pagesOf(body)
      if (pages !== undefined) {
        if (page >= pages) return out
      } else if (items !== undefined) {
        if (seen >= items) return out
      } else if (perPage !== undefined ? data.length < perPage : data.length < PER_PAGE) {
        // Without any totals, a page of exactly RunCloud's default size may come from a server
        // that ignored `perPage`: one more call settles it, instead of missing every later page.
        if (perPage !== undefined || data.length !== DEFAULT_PAGE_SIZE) return out
      }
    }
    throw fail(
      `GET ${path} still had more after ${MAX_PAGES} pages of ${PER_PAGE}; stopping there to spare your API quota. Is something paging wrongly?`
    )
  }

  const app = (serverId: number, appId: number) => `/servers/${id(serverId)}/webapps/${id(appId)}`

  const named = (raw: unknown): { id: number; name: string } | undefined => {
    const o = raw as { id?: unknown; name?: unknown }
    return o && typeof o.name === 'string' && o.id !== undefined
      ? { id: Number(o.id), name: o.name }
      : undefined
  }

  function pickByName(
    items: { id: number; name: string }[],
    name: string,
    what: string,
    whatPlural: string
  ): number {
    const exact = items.filter(i => i.name === name)
    const found = exact.length ? exact : items.filter(i => i.name.toLowerCase() === name.toLowerCase())
    if (found.length === 1) return (found[0] as { id: number }).id
    if (found.length > 1)
      throw fail(
        `${found.length} ${whatPlural} are named "${name}" (ids ${found.map(f => f.id).join(', ')}); write the id instead`
      )
    throw fail(
      `no ${what} named "${name}" on RunCloud${
        items.length
          ? ` (the search found: ${items
              .slice(0, 5)
              .map(i => i.name)
              .join(', ')})`
          : ''
      }; check the name or write the id`
    )
  }

  async function listDomains(serverId: number, appId: number): Promise<LiveDomain[]> {
    try {
      return await listAll(`${app(serverId, appId)}/domains`, toLiveDomain)
    } catch (e) {
      if (e instanceof RunCloudError && e.status === 404)
        throw fail(`server ${serverId} / web app ${appId} was not found on RunCloud (HTTP 404)`, 404)
      throw e
    }
  }

  const find = async (serverId: number, appId: number, name: string) =>
    (await listDomains(serverId, appId)).find(d => d.name === name)

  async function getDomain(
    serverId: number,
    appId: number,
    domainId: number
  ): Promise<LiveDomain | undefined> {
    try {
      return toLiveDomain((await call('GET', `${app(serverId, appId)}/domains/${id(domainId)}`)).body)
    } catch (e) {
      if (e instanceof RunCloudError && e.status === 404) return undefined
      throw e
    }
  }

  /**
   * A redeploy cannot be read back (the certificate looks the same before and after), and each
   * one asks Let's Encrypt for a certificate, which limits duplicates: an unanswered redeploy is
   * reported, never re-sent blind. A 429 was not processed, so `call` has already retried it.
   */
  async function redeploy(path: string, what: string): Promise<void> {
    try {
      await call('PUT', path, { write: true })
    } catch (e) {
      if (e instanceof UnansweredError)
        throw fail(
          `redeploying ${what} got no clear answer (${e.message.replace(/^PUT \S+: /, '')}); it may or may not have happened, and it was not sent again to avoid a duplicate certificate. Check SSL/TLS of the web app in RunCloud, or run again.`,
          e.status
        )
      throw e
    }
  }

  async function notFoundAsNone<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn()
    } catch (e) {
      if (e instanceof RunCloudError && e.status === 404) return undefined
      throw e
    }
  }

  return {
    get calls() {
      return calls
    },
    legacy,
    async ping() {
      await call('GET', '/ping')
    },
    async listServers() {
      return listAll('/servers', named)
    },
    async listApps(serverId) {
      return listAll(`/servers/${id(serverId)}/webapps`, named)
    },
    async getServer(serverId) {
      const o = (await call('GET', `/servers/${id(serverId)}`)).body as Record<string, unknown> | undefined
      const ip = o && typeof o.ipAddress === 'string' ? o.ipAddress.trim() : undefined
      return {
        id: serverId,
        name: typeof o?.name === 'string' ? o.name : '',
        ...(ip ? { ipAddress: ip } : {})
      }
    },
    async resolveServer(server) {
      if (typeof server === 'number') return server
      return pickByName(await listAll('/servers', named, { search: server }), server, 'server', 'servers')
    },
    async resolveApp(serverId, webApp) {
      if (typeof webApp === 'number') return webApp
      try {
        return pickByName(
          await listAll(`/servers/${id(serverId)}/webapps`, named, { search: webApp }),
          webApp,
          `web app on server ${serverId}`,
          `web apps on server ${serverId}`
        )
      } catch (e) {
        if (e instanceof RunCloudError && e.status === 404)
          throw fail(`server ${serverId} was not found on RunCloud (HTTP 404)`, 404)
        throw e
      }
    },
    listDomains,
    getDomain,

    async addDomain(serverId, appId, name, settings): Promise<WriteOutcome> {
      for (let attempt = 1; ; attempt++) {
        try {
          const { body } = await call('POST', `${app(serverId, appId)}/domains`, {
            write: true,
            body: { name, type: 'alias', www: settings.www, redirection: settings.redirection }
          })
          return { status: 'done', domain: toLiveDomain(body) ?? (await find(serverId, appId, name)) }
        } catch (e) {
          if (e instanceof UnansweredError) {
            // It may have landed: read back before deciding, never add twice.
            const live = await find(serverId, appId, name)
            if (live) return { status: 'done', domain: live, detail: 'confirmed by reading back' }
            if (attempt < MAX_WRITE_ATTEMPTS) {
              log(`RunCloud: ${e.message}; ${name} is not live, adding again`)
              continue
            }
            throw fail(`adding ${name} failed: ${e.message}`, e.status)
          }
          if (e instanceof RunCloudError && e.status === 422) {
            const live = await find(serverId, appId, name)
            if (live) return { status: 'noop', domain: live, detail: 'already live' }
            if (e.fields?.name)
              throw fail(
                `${e.message.replace(/\.$/, '')}. ${name} is not on server ${serverId} / web app ${appId}: if RunCloud says it is taken, another web app on that server holds it; remove it there first`,
                422,
                e.fields
              )
          }
          throw e
        }
      }
    },

    async updateDomain(serverId, appId, domain, settings: DomainSettings): Promise<WriteOutcome> {
      for (let attempt = 1; ; attempt++) {
        try {
          await call('PATCH', `${app(serverId, appId)}/domains/${id(domain.id)}/meta`, {
            write: true,
            body: {
              type: domain.type === 'primary' ? 'primary' : 'alias',
              www: settings.www,
              redirection: settings.redirection
            }
          })
          return { status: 'done', domain: { ...domain, ...settings } }
        } catch (e) {
          if (e instanceof UnansweredError) {
            const live = await getDomain(serverId, appId, domain.id)
            if (!live) throw fail(`${domain.name} is no longer on the web app`)
            if (live.www === settings.www && live.redirection === settings.redirection)
              return { status: 'done', domain: live, detail: 'confirmed by reading back' }
            if (attempt < MAX_WRITE_ATTEMPTS) continue
            throw fail(`changing ${domain.name} failed: ${e.message}`, e.status)
          }
          if (e instanceof RunCloudError && e.status === 404)
            throw fail(`${domain.name} is no longer on the web app (HTTP 404)`, 404)
          throw e
        }
      }
    },

    async removeDomain(serverId, appId, domain): Promise<WriteOutcome> {
      for (let attempt = 1; ; attempt++) {
        try {
          await call('DELETE', `${app(serverId, appId)}/domains/${id(domain.id)}`, { write: true })
          return { status: 'done' }
        } catch (e) {
          if (e instanceof RunCloudError && !(e instanceof UnansweredError) && e.status === 404)
            return { status: 'noop', detail: 'already gone' }
          if (e instanceof UnansweredError) {
            const live = await getDomain(serverId, appId, domain.id)
            if (!live) return { status: 'done', detail: 'confirmed by reading back' }
            if (attempt < MAX_WRITE_ATTEMPTS) continue
            throw fail(`removing ${domain.name} failed: ${e.message}`, e.status)
          }
          throw e
        }
      }
    },

    async getSslMode(serverId, appId): Promise<SslMode> {
      const answer = await notFoundAsNone(() => call('GET', `${app(serverId, appId)}/ssl/advanced`))
      const raw =
        answer?.body && typeof answer.body === 'object' ? (answer.body as Record<string, unknown>) : {}
      const o = raw.data && typeof raw.data === 'object' ? (raw.data as Record<string, unknown>) : raw
      return {
        advanced: truthy(o.advancedSSL ?? o.advanced_ssl ?? o.advancedSsl ?? o.isAdvancedSSL),
        autoSsl: truthy(o.autoSSL ?? o.auto_ssl ?? o.autoSsl ?? o.AutoSSL)
      }
    },
    async getBasicCertificate(serverId, appId) {
      const answer = await notFoundAsNone(() => call('GET', `${app(serverId, appId)}/ssl`))
      return answer ? certificateOf(answer.body) : undefined
    },
    async redeployBasicCertificate(serverId, appId, sslId) {
      await redeploy(`${app(serverId, appId)}/ssl/${id(sslId)}`, `the certificate ${sslId}`)
    },
    async getDomainCertificate(serverId, appId, domainId) {
      const answer = await notFoundAsNone(() =>
        call('GET', `${app(serverId, appId)}/domains/${id(domainId)}/ssl`)
      )
      return answer ? certificateOf(answer.body) : undefined
    },
    async redeployDomainCertificate(serverId, appId, domainId, sslId) {
      await redeploy(
        `${app(serverId, appId)}/domains/${id(domainId)}/ssl/${id(sslId)}`,
        `the certificate ${sslId} of domain ${domainId}`
      )
    },
    async installDomainCertificate(serverId, appId, domainId) {
      const path = `${app(serverId, appId)}/domains/${id(domainId)}/ssl`
      for (let attempt = 1; ; attempt++) {
        try {
          await call('POST', path, { write: true, body: INSTALL_BODY })
          return
        } catch (e) {
          if (!(e instanceof UnansweredError)) throw e
          // Read back: a certificate that is there now was installed by this request.
          const cert = await notFoundAsNone(() => call('GET', path))
          if (cert && certificateOf(cert.body)) return
          if (attempt >= MAX_WRITE_ATTEMPTS)
            throw fail(`installing a certificate on domain ${domainId} failed: ${e.message}`, e.status)
          log(`RunCloud: ${e.message}; no certificate on domain ${domainId} yet, installing again`)
        }
      }
    }
  }
}
