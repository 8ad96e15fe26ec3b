/**
 * A RunCloud API v3 simulator: a real HTTP server on loopback that follows runcloud-api.md —
 * bare objects, list envelopes, 0/1 booleans, 422 validation errors, 404s, primary domains,
 * basic and advanced SSL, rate-limit headers and 429 — with switches for latency, rate limits,
 * faults and the API's known shape variants. It counts every call. Used by the tests, the demo
 * and the benchmark; `npm run simulator` starts it on its own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { SimState, type AppSeed, type SimApp, type SimDomain } from './state.js'

export type Fault =
  | { status: number; body?: string; contentType?: string; retryAfter?: number }
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
  rateLimit?: { limit: number; windowMs: number; retryAfter?: boolean }
  /** `total_pages` (documented), `lastPage` (seen in 2026), or `none` (no totals: clients must stop on a short page). */
  pagination?: 'total_pages' | 'lastPage' | 'none'
  /** How "no certificate" is answered: 404 or 200 with {"message":"SSL not installed!"}. */
  sslNotInstalled?: '404' | 'message'
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
  addServer(seed: { id?: number; name: string }): { id: number; name: string }
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
    domains: (string | { name: string; www?: boolean; redirection?: SimDomain['redirection'] })[]
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
    sslNotInstalled: 'message',
    maxPerPage: 40,
    ...options
  }
  const state = new SimState()
  let faults: (FaultRule & { seen: number; hit: number })[] = []
  const callLog: CallRecord[] = []
  let window = { start: Date.now(), count: 0 }
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
    const data = items.slice((page - 1) * perPage, page * perPage)
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

  const certificate = (id: number | undefined) =>
    id !== undefined
      ? new Reply(200, {
          id,
          method: 'letsencrypt',
          renewalDate: '2027-01-01 00:00:00',
          validUntil: '2027-02-01 00:00:00',
          enableHttp: 0,
          enableHsts: 0
        })
      : opts.sslNotInstalled === '404'
        ? notFound('SSL not installed!')
        : new Reply(200, { message: 'SSL not installed!' })

  function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
    if (method === 'GET' && path === '/ping') return new Reply(200, { message: 'pong' })
    const search = (query.get('search') ?? '').toLowerCase()
    if (method === 'GET' && path === '/servers') {
      return list(
        state.servers
          .filter(s => s.name.toLowerCase().includes(search))
          .map(s => ({
            id: s.id,
            name: s.name,
            ipAddress: s.ipAddress,
            provider: 'custom',
            os: 'Ubuntu',
            osVersion: '24.04',
            connected: 1,
            online: 1
          })),
        query
      )
    }
    let m = /^\/servers\/(\d+)\/webapps$/.exec(path)
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
        if (
          body.redirection !== undefined &&
          !['none', 'www', 'non-www'].includes(body.redirection as string)
        )
          return invalid('redirection', 'The selected redirection is invalid.')
        if (body.www !== undefined) d.www = body.www === true || body.www === 1
        if (body.redirection !== undefined) d.redirection = body.redirection as SimDomain['redirection']
        return new Reply(200, { message: 'Domain name updated.' })
      }
      if (sub === '/dns' && method === 'GET') {
        const ip = state.servers.find(s => s.id === app.serverId)?.ipAddress
        return new Reply(200, [{ type: 'A', hostname: d.name, content: ip }])
      }
      if (sub === '/ssl' && method === 'GET') return certificate(d.certificateId)
      if (sub === '/ssl' && method === 'POST') {
        if (app.sslFailure) return new Reply(422, { message: app.sslFailure })
        if (d.certificateId !== undefined) return new Reply(422, { message: 'SSL already installed.' })
        d.certificateId = state.id()
        app.sslEvents.push(`install ${d.name}`)
        return certificate(d.certificateId)
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
      return certificate(app.advancedSsl ? undefined : app.certificateId)
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
      at: Date.now()
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

    // Rate limit: a fixed window, as RunCloud's per-minute limit behaves.
    const headers: Record<string, string> = {}
    if (opts.rateLimit) {
      const now = Date.now()
      if (now - window.start >= opts.rateLimit.windowMs) window = { start: now, count: 0 }
      if (window.count >= opts.rateLimit.limit) {
        const retry = Math.max(1, Math.ceil((window.start + opts.rateLimit.windowMs - now) / 1000))
        const h: Record<string, string> = {
          'x-ratelimit-limit': String(opts.rateLimit.limit),
          'x-ratelimit-remaining': '0'
        }
        if (opts.rateLimit.retryAfter !== false) h['retry-after'] = String(retry)
        return send(429, { message: 'Too Many Attempts.' }, h)
      }
      window.count++
      headers['x-ratelimit-limit'] = String(opts.rateLimit.limit)
      headers['x-ratelimit-remaining'] = String(opts.rateLimit.limit - window.count)
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
      const h = {
        ...headers,
        ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {})
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
