/**
 * A RunCloud API v3 simulator: a real HTTP server on loopback that follows docs/runcloud-api.md —
 * bare objects, list envelopes, 0/1 booleans, 422 validation errors, 404s, primary domains,
 * basic and advanced SSL, rate-limit headers and 429 — with switches for latency, rate limits,
 * faults and the API's known shape variants. It counts every call. Used by the tests, the demo
 * and the benchmark; `npm run simulator` starts it on its own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { SimState, type AppSeed, type SimApp, type SimDomain, type SimServer } from './state.js'

export type Fault =
  | {
      status: number
      body?: string
      contentType?: string
      retryAfter?: number
      /** Extra headers, e.g. `location` for a redirect. */
      headers?: Record<string, string>
      /** Carry out the request first (a write lands), then answer with this fault. */
      apply?: boolean
      /** Answer a body of this many bytes (streamed), instead of `body`. */
      bodyBytes?: number
    }
  | 'html'
  | 'reset'
  | 'stall'
  | 'applied-500'
  | 'applied-reset'

export interface FaultRule {
  method?: string
  /** Matched against the path after /api/v3 (or /api/v2), without the query. */
  path?: string | RegExp
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number
  /** Skip this many matching requests first. */
  after?: number
  fault: Fault
}

export interface SimulatorOptions {
  port?: number
  /** v3 Bearer token accepted. */
  token?: string
  /** v2 Basic credentials accepted under /api/v2. */
  apiKey?: string
  apiSecret?: string
  /** Added to every answer, ms. */
  latencyMs?: number
  /**
   * A fixed window of any length that opens at the first request after the last one ended, as
   * Laravel's throttle does; a refused request (429) is not counted. `hints` says what the
   * answers tell: `laravel` (default) — `X-RateLimit-Limit`/`-Remaining` on every answer, and
   * `Retry-After` and `X-RateLimit-Reset` on a 429; `retry-after` — no `X-RateLimit-Reset`;
   * `remaining` — limit and remaining only, a bare 429; `none` — no rate-limit header at all.
   * `retryAfter: false` is `remaining`.
   */
  rateLimit?: {
    limit: number
    windowMs: number
    retryAfter?: boolean
    hints?: 'laravel' | 'retry-after' | 'remaining' | 'none'
  }
  /** `total_pages` (documented), `lastPage` (seen in 2026), or `none` (no totals: clients must stop on a short page). */
  pagination?: 'total_pages' | 'lastPage' | 'none'
  /**
   * How "no certificate" is answered. `per-endpoint` (default, as docs/runcloud-api.md describes it):
   * the app's `GET /ssl` answers 200 `{"message":"SSL not installed!"}` and a domain's
   * `GET /domains/{id}/ssl` answers 404. `message`, `404` and `400`: every endpoint answers so.
   */
  sslNotInstalled?: 'per-endpoint' | 'message' | '404' | '400'
  /** Other field names in list items, e.g. `{ id: 'domain_id', name: 'domain_name' }` (a shape variant). */
  listFields?: { id?: string; name?: string }
  /** Largest perPage honoured (RunCloud: 40). */
  maxPerPage?: number
  /**
   * Serve a control API under /__sim/ (not counted, no token): GET state, GET calls,
   * POST faults (a FaultRule as JSON; `path` a string, or `pathRegex`), DELETE faults,
   * POST domains ({serverId, appId, names}). For the standalone simulator; off by default.
   */
  control?: boolean
}

export interface CallRecord {
  method: string
  path: string
  /** The query string as received, without the `?` (e.g. `page=1&perPage=40`). */
  query: string
  status: number
  /** When the request arrived (ms since the epoch). */
  at: number
  /** The request body as received, when there was one. */
  body?: string
  /** Under a rate limit, which fixed window the request met (0 for the first). */
  window?: number
}

export interface Simulator {
  /** Base URL of API v3, e.g. http://127.0.0.1:PORT/api/v3 */
  url: string
  urlV2: string
  token: string
  state: SimState
  options: SimulatorOptions
  /** Every request that reached the server (429s and faults included). */
  readonly calls: number
  /** The most requests that were being handled at once. */
  readonly maxInFlight: number
  callLog: CallRecord[]
  /** Calls by "METHOD route", route with ids replaced by :id. */
  callsByRoute(): Record<string, number>
  writes(): number
  resetCalls(): void
  inject(rule: FaultRule): void
  clearFaults(): void
  addServer(seed: { id?: number; name: string; ipAddress?: string }): { id: number; name: string }
  addApp(serverId: number, seed: AppSeed): SimApp
  seedDomains(
    serverId: number,
    appId: number,
    names: string[],
    settings?: { www?: boolean; redirection?: SimDomain['redirection'] }
  ): void
  /** Add aliases, each a name or a name with its settings; returns them as stored. */
  addDomains(
    serverId: number,
    appId: number,
    domains: (
      | string
      | { name: string; type?: SimDomain['type']; www?: boolean; redirection?: SimDomain['redirection'] }
    )[]
  ): SimDomain[]
  domains(serverId: number, appId: number): SimDomain[]
  snapshot(): ReturnType<SimState['snapshot']>
  close(): Promise<void>
}

const DOMAIN_RE = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/

const bool = (b: boolean): number => (b ? 1 : 0)
const domainJson = (d: SimDomain) => ({
  id: d.id,
  name: d.name,
  type: d.type,
  www: bool(d.www),
  redirection: d.redirection,
  wildcard: bool(d.wildcard),
  dns_integration: 'none',
  status: null,
  created_at: d.created_at
})

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {}
}
const notFound = (what = 'Not found.') => new Reply(404, { message: what })
const invalid = (field: string, message: string) =>
  new Reply(422, { message: 'The given data was invalid.', errors: { [field]: [message] } })

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts: SimulatorOptions = {
    token: 'sim-token',
    pagination: 'total_pages',
    sslNotInstalled: 'per-endpoint',
    maxPerPage: 40,
    ...options
  }
  const state = new SimState()
  let faults: (FaultRule & { seen: number; hit: number })[] = []
  const callLog: CallRecord[] = []
  let window: { start: number; count: number; index: number } | undefined
  const sockets = new Set<Socket>()
  let inFlight = 0
  let maxInFlight = 0
  const stalled = new Set<ServerResponse>()

  const list = <T>(items: T[], query: URLSearchParams) => {
    const perPage = Math.max(
      1,
      Math.min(Number(query.get('perPage') ?? query.get('per_page') ?? 20) || 20, opts.maxPerPage ?? 40)
    )
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
    const totalPages = Math.max(1, Math.ceil(items.length / perPage))
    const renamed = (item: T): unknown => {
      const f = opts.listFields
      if (!f || !item || typeof item !== 'object') return item
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(item as Record<string, unknown>))
        out[k === 'id' ? (f.id ?? k) : k === 'name' ? (f.name ?? k) : k] = v
      return out
    }
    const data = items.slice((page - 1) * perPage, page * perPage).map(renamed)
    const pagination: Record<string, unknown> = {
      total: items.length,
      count: data.length,
      per_page: perPage,
      current_page: page,
      links: {}
    }
    const meta: Record<string, unknown> = { pagination }
    if (opts.pagination === 'lastPage') meta.lastPage = totalPages
    else if (opts.pagination === 'none') {
      // No totals at all: a client can only stop at a short or empty page.
      delete pagination.per_page
      delete pagination.total
    } else pagination.total_pages = totalPages
    return new Reply(200, { data, meta })
  }

  const certificate = (id: number | undefined, endpoint: 'app' | 'domain') => {
    if (id !== undefined)
      return new Reply(200, {
        id,
        method: 'letsencrypt',
        renewalDate: '2027-01-01 00:00:00',
        validUntil: '2027-02-01 00:00:00',
        enableHttp: 0,
        enableHsts: 0
      })
    const style =
      opts.sslNotInstalled === 'per-endpoint' || opts.sslNotInstalled === undefined
        ? endpoint === 'app'
          ? 'message'
          : '404'
        : opts.sslNotInstalled
    if (style === '404') return notFound('SSL not installed!')
    if (style === '400') return new Reply(400, { message: 'SSL not installed!' })
    return new Reply(200, { message: 'SSL not installed!' })
  }

  const serverJson = (s: SimServer) => ({
    id: s.id,
    name: s.name,
    ipAddress: s.ipAddress,
    provider: 'custom',
    os: 'Ubuntu',
    osVersion: '24.04',
    connected: 1,
    online: 1
  })

  function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    if (method === 'GET' && path === '/ping') return new Reply(200, { message: 'pong' })
    const search = (query.get('search') ?? '').toLowerCase()
    if (method === 'GET' && path === '/servers') {
      return list(state.servers.filter(s => s.name.toLowerCase().includes(search)).map(serverJson), query)
    }
    let m = /^\/servers\/(\d+)$/.exec(path)
    if (m && method === 'GET') {
      const server = state.servers.find(s => s.id === Number(m?.[1]))
      return server ? new Reply(200, serverJson(server)) : notFound('Server not found.')
    }
    m = /^\/servers\/(\d+)\/webapps$/.exec(path)
    if (m && method === 'GET') {
      const sid = Number(m[1])
      if (!state.servers.some(s => s.id === sid)) return notFound('Server not found.')
      return list(
        state.apps
          .filter(a => a.serverId === sid && a.name.toLowerCase().includes(search))
          .map(a => ({
            id: a.id,
            name: a.name,
            server_user_id: 1,
            rootPath: `/home/runcloud/webapps/${a.name}`,
            stackMode: 'production'
          })),
        query
      )
    }
    m = /^\/servers\/(\d+)\/webapps\/(\d+)(\/.*)$/.exec(path)
    if (!m) return notFound()
    const app = state.app(Number(m[1]), Number(m[2]))
    if (!app) return notFound('Web application not found.')
    const rest = m[3] as string
    const findDomain = (id: string) => app.domains.find(d => d.id === Number(id))

    if (rest === '/domains' && method === 'GET') return list(app.domains.map(domainJson), query)
    if (rest === '/domains' && method === 'POST') {
      const name = typeof body.name === 'string' ? body.name.trim().toLowerCase() : ''
      if (!name) return invalid('name', 'The name field is required.')
      if (!DOMAIN_RE.test(name)) return invalid('name', 'The name format is invalid.')
      const taken = state.apps
        .filter(a => a.serverId === app.serverId)
        .some(a => a.domains.some(d => d.name === name))
      if (taken) return invalid('name', 'The name has already been taken.')
      if (body.type !== undefined && body.type !== 'alias')
        return invalid('type', 'The selected type is invalid.')
      if (body.redirection !== undefined && !['none', 'www', 'non-www'].includes(body.redirection as string))
        return invalid('redirection', 'The selected redirection is invalid.')
      if (body.www !== undefined && typeof body.www !== 'boolean')
        return invalid('www', 'The www field must be true or false.')
      const d = state.addDomain(app, {
        name,
        www: body.www === true,
        redirection: (body.redirection as SimDomain['redirection']) ?? 'none'
      })
      return new Reply(200, domainJson(d))
    }
    m = /^\/domains\/(\d+)(\/.*)?$/.exec(rest)
    if (m) {
      const d = findDomain(m[1] as string)
      if (!d) return notFound('Domain not found.')
      const sub = m[2] ?? ''
      if (sub === '' && method === 'GET') return new Reply(200, domainJson(d))
      if (sub === '' && method === 'DELETE') {
        if (d.type === 'primary')
          return new Reply(422, { message: 'You cannot delete the primary domain name.' })
        app.domains = app.domains.filter(x => x !== d)
        return new Reply(200, domainJson(d))
      }
      if (sub === '/meta' && method === 'PATCH') {
        if (body.type !== undefined && !['primary', 'alias', 'redirect'].includes(body.type as string))
          return invalid('type', 'The selected type is invalid.')
        if (
          body.redirection !== undefined &&
          !['none', 'www', 'non-www'].includes(body.redirection as string)
        )
          return invalid('redirection', 'The selected redirection is invalid.')
        if (body.www !== undefined) d.www = body.www === true || body.www === 1
        if (body.redirection !== undefined) d.redirection = body.redirection as SimDomain['redirection']
        // RunCloud takes the type as sent: a client that sends `alias` for a primary demotes it.
        if (body.type !== undefined) d.type = body.type as SimDomain['type']
        return new Reply(200, { message: 'Domain name updated.' })
      }
      if (sub === '/dns' && method === 'GET') {
        const ip = state.servers.find(s => s.id === app.serverId)?.ipAddress
        return new Reply(200, [{ type: 'A', hostname: d.name, content: ip }])
      }
      if (sub === '/ssl' && method === 'GET') return certificate(d.certificateId, 'domain')
      if (sub === '/ssl' && method === 'POST') {
        if (app.sslFailure) return new Reply(422, { message: app.sslFailure })
        if (d.certificateId !== undefined) return new Reply(422, { message: 'SSL already installed.' })
        d.certificateId = state.id()
        app.sslEvents.push(`install ${d.name}`)
        return new Reply(200, {})
      }
      const s = /^\/ssl\/(\d+)$/.exec(sub)
      if (s && method === 'PUT') {
        if (d.certificateId !== Number(s[1])) return notFound('SSL not found.')
        if (app.sslFailure) return new Reply(422, { message: app.sslFailure })
        app.sslEvents.push(`redeploy ${d.name}`)
        return new Reply(200, {})
      }
      return notFound()
    }
    if (rest === '/ssl/advanced' && method === 'GET')
      return new Reply(200, { advancedSSL: app.advancedSsl, autoSSL: app.autoSsl })
    if (rest === '/ssl' && method === 'GET')
      return certificate(app.advancedSsl ? undefined : app.certificateId, 'app')
    const s = /^\/ssl\/(\d+)$/.exec(rest)
    if (s && method === 'PUT') {
      if (app.certificateId !== Number(s[1])) return notFound('SSL not found.')
      if (app.sslFailure) return new Reply(422, { message: app.sslFailure })
      app.sslEvents.push('redeploy')
      return new Reply(200, {})
    }
    return notFound()
  }

  const authorised = (req: IncomingMessage, v2: boolean): boolean => {
    const auth = req.headers.authorization ?? ''
    if (v2) {
      const expected = `Basic ${Buffer.from(`${opts.apiKey ?? ''}:${opts.apiSecret ?? ''}`).toString('base64')}`
      return opts.apiKey !== undefined && auth === expected
    }
    return auth === `Bearer ${opts.token}`
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      res.on('close', () => inFlight--)
      void handle(req, res, Buffer.concat(chunks).toString('utf8'))
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })

  /** The opt-in control API: not part of RunCloud, never counted as a call. */
  function control(method: string, path: string, raw: string, res: ServerResponse): void {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    let body: Record<string, unknown> = {}
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
    } catch {
      return reply(400, { message: 'Malformed JSON.' })
    }
    if (method === 'GET' && path === '/state') return reply(200, state.snapshot())
    if (method === 'GET' && path === '/calls')
      return reply(200, { calls: callLog.length, byRoute: byRoute() })
    if (method === 'DELETE' && path === '/faults') {
      faults = []
      return reply(200, { message: 'faults cleared' })
    }
    if (method === 'POST' && path === '/faults') {
      const { pathRegex, ...rule } = body as unknown as FaultRule & { pathRegex?: string }
      if (rule.fault === undefined) return reply(422, { message: 'a fault rule needs "fault"' })
      faults.push({ ...rule, path: pathRegex ? new RegExp(pathRegex) : rule.path, seen: 0, hit: 0 })
      return reply(200, { message: 'fault added', faults: faults.length })
    }
    if (method === 'POST' && path === '/domains') {
      const { serverId, appId, names } = body as { serverId?: number; appId?: number; names?: string[] }
      const app = state.app(Number(serverId), Number(appId))
      if (!app || !Array.isArray(names)) return reply(422, { message: 'give serverId, appId and names' })
      state.seedDomains(app.serverId, app.id, names.map(String))
      return reply(200, { message: `${names.length} domains added` })
    }
    return reply(404, { message: 'Not found.' })
  }

  function byRoute(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const c of callLog) {
      const k = `${c.method} ${c.path.replace(/\/\d+/g, '/:id')}`
      out[k] = (out[k] ?? 0) + 1
    }
    return out
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    if (opts.control && url.pathname.startsWith('/__sim/'))
      return control((req.method ?? 'GET').toUpperCase(), url.pathname.slice('/__sim'.length), raw, res)
    const method = (req.method ?? 'GET').toUpperCase()
    const prefix = /^\/api\/(v2|v3)(\/.*)$/.exec(url.pathname)
    const path = prefix?.[2] ?? url.pathname
    const record: CallRecord = {
      method,
      path,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      at: Date.now(),
      ...(raw ? { body: raw } : {})
    }
    callLog.push(record)
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/html' : 'application/json',
        ...headers
      })
      res.end(text)
    }
    if (opts.latencyMs) await new Promise(r => setTimeout(r, opts.latencyMs))

    // Rate limit: a fixed window opened by the first request after the last window ended, as
    // Laravel's throttle (RunCloud is a Laravel application) keeps it; a 429 is not counted.
    const headers: Record<string, string> = {}
    if (opts.rateLimit) {
      const { limit, windowMs } = opts.rateLimit
      const hints = opts.rateLimit.hints ?? (opts.rateLimit.retryAfter === false ? 'remaining' : 'laravel')
      const now = Date.now()
      if (!window || now - window.start >= windowMs)
        window = { start: now, count: 0, index: (window?.index ?? -1) + 1 }
      record.window = window.index
      if (window.count >= limit) {
        const end = window.start + windowMs
        const h: Record<string, string> = {}
        if (hints !== 'none') {
          h['x-ratelimit-limit'] = String(limit)
          h['x-ratelimit-remaining'] = '0'
        }
        // Whole seconds, rounded up as HTTP requires, so never earlier than the window's end.
        if (hints === 'laravel' || hints === 'retry-after')
          h['retry-after'] = String(Math.max(1, Math.ceil((end - now) / 1000)))
        if (hints === 'laravel') h['x-ratelimit-reset'] = String(Math.ceil(end / 1000))
        return send(429, { message: 'Too Many Attempts.' }, h)
      }
      window.count++
      if (hints !== 'none') {
        headers['x-ratelimit-limit'] = String(limit)
        headers['x-ratelimit-remaining'] = String(limit - window.count)
      }
    }

    if (!prefix) return send(404, { message: 'Not found.' })
    if (!authorised(req, prefix[1] === 'v2')) return send(401, { message: 'Unauthenticated.' }, headers)

    let body: Record<string, unknown> = {}
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>
      } catch {
        return send(400, { message: 'Malformed JSON.' }, headers)
      }
    }

    const rule = faults.find(f => {
      if (f.method && f.method.toUpperCase() !== method) return false
      if (
        f.path !== undefined &&
        !(typeof f.path === 'string' ? path === f.path || path.startsWith(f.path) : f.path.test(path))
      )
        return false
      if (f.hit >= (f.times ?? 1)) return false
      f.seen++
      return f.seen > (f.after ?? 0)
    })
    if (rule) {
      rule.hit++
      const fault = rule.fault
      if (fault === 'reset') {
        record.status = -1
        req.socket.destroy()
        return
      }
      if (fault === 'stall') {
        record.status = -2
        stalled.add(res)
        return
      }
      if (fault === 'html') {
        return send(
          502,
          '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
          headers
        )
      }
      if (fault === 'applied-500' || fault === 'applied-reset') {
        route(method, path, url.searchParams, body)
        if (fault === 'applied-reset') {
          record.status = -1
          req.socket.destroy()
          return
        }
        return send(500, { message: 'Server Error' }, headers)
      }
      if (fault.apply) route(method, path, url.searchParams, body)
      const h = {
        ...headers,
        ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
        ...(fault.headers ?? {})
      }
      if (fault.bodyBytes !== undefined) {
        record.status = fault.status
        res.writeHead(fault.status, { 'content-type': 'application/json', ...h })
        return streamBody(res, fault.bodyBytes)
      }
      if (fault.body !== undefined) {
        record.status = fault.status
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/html', ...h })
        res.end(fault.body)
        return
      }
      return send(fault.status, { message: `Injected ${fault.status}` }, h)
    }

    const reply = route(method, path, url.searchParams, body)
    send(reply.status, reply.body, headers)
  }

  /** A body of `bytes` bytes, written in chunks as the client reads (a client may stop early). */
  function streamBody(res: ServerResponse, bytes: number): void {
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let left = bytes
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length)
        left -= n
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump)
          return
        }
      }
      if (!res.destroyed) res.end()
    }
    res.on('error', () => {})
    pump()
  }

  await new Promise<void>(resolve => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/api/v3`,
    urlV2: `http://127.0.0.1:${port}/api/v2`,
    token: opts.token as string,
    state,
    options: opts,
    get calls() {
      return callLog.length
    },
    get maxInFlight() {
      return maxInFlight
    },
    callLog,
    callsByRoute: byRoute,
    writes() {
      return callLog.filter(c => c.method !== 'GET').length
    },
    resetCalls() {
      callLog.length = 0
      maxInFlight = 0
    },
    inject(rule) {
      faults.push({ ...rule, seen: 0, hit: 0 })
    },
    clearFaults() {
      faults = []
    },
    addServer: seed => state.addServer(seed),
    addApp: (serverId, seed) => state.addApp(serverId, seed),
    seedDomains: (serverId, appId, names, settings) => state.seedDomains(serverId, appId, names, settings),
    addDomains(serverId, appId, domains) {
      const app = state.app(serverId, appId)
      if (!app) throw new Error(`no app ${serverId}/${appId}`)
      return domains.map(d => state.addDomain(app, typeof d === 'string' ? { name: d } : d))
    },
    domains(serverId, appId) {
      return state.app(serverId, appId)?.domains ?? []
    },
    snapshot: () => state.snapshot(),
    async close() {
      for (const r of stalled) r.destroy()
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
