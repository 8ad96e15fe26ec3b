/**
 * Acceptance tests of the bundled action against an independent fake RunCloud API, written only
 * from docs/runcloud-api.md (not test-support/simulator/), choosing the other
 * plausible variant wherever that page says [guess] or [doc]: string ids, 0/1 booleans,
 * `meta.lastPage` instead of `total_pages`, a 422 for a duplicate add worded differently,
 * 200 {"message":"SSL not installed!"} for no certificate, PATCH …/meta answering a message,
 * DELETE answering the deleted object, and X-RateLimit headers. Every call is recorded, so tests
 * can count what untouched apps cost.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'

const TOKEN = 'indep-token-9d3c1b7a55e0'
const KEY = 'indep-key-4411aa'
const SECRET = 'indep-secret-77ccdd'
const GH_TOKEN = 'ghs_indepGitHubToken000000000000000'

interface FDomain {
  id: string
  name: string
  type: 'primary' | 'alias'
  www: 0 | 1
  redirection: string
  wildcard: 0
  dns_integration: 'none'
  status: null
  created_at: string
}
interface FApp {
  id: string
  name: string
  domains: FDomain[]
  advanced: boolean
  autoSsl: boolean
  /** Basic SSL certificate id, when one is installed. */
  cert?: string
  /** Advanced SSL: certificate id per domain id. */
  domainCerts: Map<string, string>
}
interface FServer {
  id: string
  name: string
  apps: FApp[]
}
interface Call {
  method: string
  path: string
  query: string
  body: unknown
  auth: string
}

type Override = (c: Call) => { status: number; body: unknown; headers?: Record<string, string> } | undefined

class FakeRunCloud {
  servers: FServer[] = []
  calls: Call[] = []
  /** Run before routing; an answer returned here is sent instead. */
  override?: Override
  /** Run after a domain list is answered (to simulate someone else's concurrent change). */
  afterList?: (app: FApp) => void
  url = ''
  private server?: Server
  private nextId = 5000
  private remaining = 100_000

  id(): string {
    return String(this.nextId++)
  }
  addServer(name: string, id?: number): FServer {
    const s: FServer = { id: String(id ?? this.nextId++), name, apps: [] }
    this.servers.push(s)
    return s
  }
  addApp(
    s: FServer,
    name: string,
    primary: string,
    opts: { id?: number; advanced?: boolean; autoSsl?: boolean; cert?: boolean } = {}
  ): FApp {
    const a: FApp = {
      id: String(opts.id ?? this.nextId++),
      name,
      domains: [],
      advanced: opts.advanced ?? false,
      autoSsl: opts.autoSsl ?? false,
      cert: opts.cert === false ? undefined : this.id(),
      domainCerts: new Map()
    }
    s.apps.push(a)
    this.seed(a, [primary], 'primary')
    return a
  }
  seed(
    a: FApp,
    names: string[],
    type: 'primary' | 'alias' = 'alias',
    www = true,
    redirection = 'non-www'
  ): void {
    for (const name of names)
      a.domains.push({
        id: this.id(),
        name,
        type,
        www: www ? 1 : 0,
        redirection,
        wildcard: 0,
        dns_integration: 'none',
        status: null,
        created_at: '2024-07-18 01:31:10'
      })
  }
  names(a: FApp): string[] {
    return a.domains.map(d => d.name).sort()
  }
  domain(a: FApp, name: string): FDomain | undefined {
    return a.domains.find(d => d.name === name)
  }
  writes(): Call[] {
    return this.calls.filter(c => c.method !== 'GET')
  }
  domainWrites(): Call[] {
    return this.writes().filter(c => /\/domains(\/\d+)?(\/meta)?$/.test(c.path))
  }
  touching(a: FApp): Call[] {
    return this.calls.filter(c => c.path.includes(`/webapps/${a.id}/`) || c.path.endsWith(`/webapps/${a.id}`))
  }
  reset(): void {
    this.calls = []
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>(r => this.server?.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  async close(): Promise<void> {
    await new Promise<void>(r => this.server?.close(() => r()))
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): void {
    this.remaining = Math.max(1000, this.remaining - 1)
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-ratelimit-limit': '100000',
      'x-ratelimit-remaining': String(this.remaining),
      ...headers
    })
    res.end(JSON.stringify(body))
  }

  private list<T>(res: ServerResponse, items: T[], query: URLSearchParams): void {
    const perPage = Math.min(40, Number(query.get('perPage') ?? 20) || 20)
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
    const lastPage = Math.max(1, Math.ceil(items.length / perPage))
    this.send(res, 200, {
      data: items.slice((page - 1) * perPage, page * perPage),
      meta: { lastPage, currentPage: page, perPage }
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = ''
    for await (const chunk of req) raw += String(chunk)
    const u = new URL(req.url ?? '/', 'http://x')
    const call: Call = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.search,
      body: raw ? JSON.parse(raw) : undefined,
      auth: req.headers.authorization ?? ''
    }
    this.calls.push(call)
    const m = /^\/api\/(v2|v3)(\/.*)$/.exec(u.pathname)
    if (!m) return this.send(res, 404, { message: 'Not Found' })
    const [, version, path] = m as unknown as [string, string, string]
    const ok =
      version === 'v3'
        ? call.auth === `Bearer ${TOKEN}`
        : call.auth === `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`
    if (!ok) return this.send(res, 401, { message: 'Unauthenticated.' })
    const o = this.override?.(call)
    if (o) return this.send(res, o.status, o.body, o.headers)
    const q = u.searchParams
    const parts = path.split('/').filter(Boolean)
    const method = call.method
    const body = (call.body ?? {}) as Record<string, unknown>

    if (path === '/ping') return this.send(res, 200, { message: 'pong' })
    if (parts[0] !== 'servers') return this.send(res, 404, { message: 'Not Found' })
    if (parts.length === 1) {
      const search = q.get('search') ?? ''
      return this.list(
        res,
        this.servers
          .filter(s => s.name.includes(search))
          .map(s => ({ id: s.id, name: s.name, ipAddress: '10.0.0.1' })),
        q
      )
    }
    const server = this.servers.find(s => s.id === parts[1])
    if (!server || parts[2] !== 'webapps') return this.send(res, 404, { message: 'Server not found' })
    if (parts.length === 3) {
      const search = q.get('search') ?? ''
      return this.list(
        res,
        server.apps.filter(a => a.name.includes(search)).map(a => ({ id: a.id, name: a.name })),
        q
      )
    }
    const app = server.apps.find(a => a.id === parts[3])
    if (!app) return this.send(res, 404, { message: 'Web application not found' })
    const rest = parts.slice(4)

    // SSL of the app
    if (rest[0] === 'ssl') {
      if (rest.length === 2 && rest[1] === 'advanced' && method === 'GET')
        return this.send(res, 200, { advancedSSL: app.advanced ? 1 : 0, autoSSL: app.autoSsl ? 1 : 0 })
      if (rest.length === 1 && method === 'GET') {
        if (app.advanced || !app.cert) return this.send(res, 200, { message: 'SSL not installed!' })
        return this.send(res, 200, {
          id: app.cert,
          method: 'letsencrypt',
          renewal_date: '2026-01-01 00:00:00'
        })
      }
      if (rest.length === 2 && method === 'PUT') {
        if (rest[1] !== app.cert) return this.send(res, 404, { message: 'SSL not found' })
        return this.send(res, 200, {})
      }
      return this.send(res, 405, { message: 'Method not allowed' })
    }
    if (rest[0] !== 'domains') return this.send(res, 404, { message: 'Not Found' })
    if (rest.length === 1 && method === 'GET') {
      this.list(res, app.domains, q)
      this.afterList?.(app)
      return
    }
    if (rest.length === 1 && method === 'POST') {
      const name = typeof body.name === 'string' ? body.name : ''
      if (
        app.domains.some(d => d.name === name) ||
        this.servers.some(s => s.apps.some(a => a.domains.some(d => d.name === name)))
      )
        return this.send(res, 422, {
          message: 'Validation failed',
          errors: { name: ['This domain name is already registered on this server.'] }
        })
      if (body.type !== 'alias') return this.send(res, 422, { message: 'type must be alias' })
      const d: FDomain = {
        id: this.id(),
        name,
        type: 'alias',
        www: body.www ? 1 : 0,
        redirection: String(body.redirection),
        wildcard: 0,
        dns_integration: 'none',
        status: null,
        created_at: '2026-01-01 00:00:00'
      }
      app.domains.push(d)
      return this.send(res, 200, d)
    }
    const dom = app.domains.find(d => d.id === rest[1])
    if (!dom) return this.send(res, 404, { message: 'Domain not found' })
    if (rest.length === 2 && method === 'GET') return this.send(res, 200, dom)
    if (rest.length === 2 && method === 'DELETE') {
      if (dom.type === 'primary') return this.send(res, 422, { message: 'Cannot delete primary domain' })
      app.domains = app.domains.filter(d => d !== dom)
      return this.send(res, 200, dom)
    }
    if (rest.length === 3 && rest[2] === 'meta' && method === 'PATCH') {
      dom.www = body.www ? 1 : 0
      dom.redirection = String(body.redirection)
      if (body.type === 'primary' || body.type === 'alias') dom.type = body.type
      return this.send(res, 200, { message: 'Domain name settings updated successfully.' })
    }
    if (rest[2] === 'ssl') {
      if (!app.advanced) return this.send(res, 422, { message: 'Advanced SSL is not enabled' })
      const cert = app.domainCerts.get(dom.id)
      if (rest.length === 3 && method === 'GET')
        return cert
          ? this.send(res, 200, { id: cert })
          : this.send(res, 200, { message: 'SSL not installed!' })
      if (rest.length === 3 && method === 'POST') {
        const c = this.id()
        app.domainCerts.set(dom.id, c)
        return this.send(res, 200, { id: c })
      }
      if (rest.length === 4 && method === 'PUT') {
        if (rest[3] !== cert) return this.send(res, 404, { message: 'SSL not found' })
        return this.send(res, 200, {})
      }
    }
    return this.send(res, 404, { message: 'Not Found' })
  }
}

// ---------------------------------------------------------------------------------------------

let rc: FakeRunCloud
const repos: TempRepo[] = []

beforeEach(async () => {
  rc = new FakeRunCloud()
  await rc.start()
})
afterEach(async () => {
  await rc.close()
  while (repos.length) repos.pop()?.cleanup()
})

function repo(...manifests: (string | null)[]): TempRepo {
  const r = makeRepo(manifests.map(m => ({ 'domains.yml': m })))
  repos.push(r)
  return r
}

const v3 = () => `${rc.url}/api/v3`

async function run(
  r: TempRepo,
  opts: { event?: string; payload?: unknown; inputs?: Record<string, string>; sha?: string } = {}
): Promise<ActionRun> {
  const res = await runAction({
    workspace: r.dir,
    eventName: opts.event ?? 'push',
    payload: opts.payload ?? { before: r.shas[r.shas.length - 2] ?? '0'.repeat(40) },
    sha: opts.sha,
    githubToken: GH_TOKEN,
    inputs: { 'api-url': v3(), comment: 'false', ...(opts.inputs ?? {}) }
  })
  // Secrets never appear in anything the run emits (the runner consumes ::add-mask:: itself).
  const emitted = [
    res.stdout.replace(/^::add-mask::.*$/gm, ''),
    res.stderr,
    res.summary,
    JSON.stringify(res.outputs)
  ]
  for (const s of [TOKEN, KEY, SECRET, GH_TOKEN, Buffer.from(`${KEY}:${SECRET}`).toString('base64')])
    for (const text of emitted) expect(text.includes(s) ? `leaked ${s.slice(0, 6)}…` : 'clean').toBe('clean')
  return res
}

const json = <T = unknown>(s: string | undefined): T => JSON.parse(s ?? 'null') as T
const errors = (r: ActionRun) => r.annotations.filter(a => a.level === 'error').map(a => a.message)
const warnings = (r: ActionRun) => r.annotations.filter(a => a.level === 'warning').map(a => a.message)
const apply = { mode: 'apply', 'api-token': TOKEN }

describe('plan', () => {
  it('offline: outputs from the manifest change, no call to RunCloud', async () => {
    const r = repo(
      manifest({ server: 1, app: 2, domains: ['a.example.com', 'b.example.com', 'c.example.com'] }),
      manifest({
        server: 1,
        app: 2,
        label: 'main',
        domains: ['a.example.com', { name: 'c.example.com', www: false }, 'd.example.com']
      })
    )
    const res = await run(r, {
      event: 'pull_request',
      payload: { number: 3, pull_request: { number: 3, base: { sha: r.shas[0] } } }
    })
    expect(res.exitCode).toBe(0)
    expect(rc.calls).toHaveLength(0)
    expect(res.outputs['has-changes']).toBe('true')
    expect(json(res.outputs.added)).toEqual(['d.example.com'])
    expect(json(res.outputs.removed)).toEqual(['b.example.com'])
    expect(json(res.outputs.updated)).toEqual(['c.example.com'])
    expect(json(res.outputs.failed)).toEqual([])
    expect(res.outputs.drift).toBeUndefined()
    const plan = json<{
      apps: { server: unknown; app: unknown; label: string; changes: Record<string, unknown>[] }[]
    }>(res.outputs.plan)
    expect(plan.apps).toHaveLength(1)
    expect(plan.apps[0]).toMatchObject({ server: 1, app: 2, label: 'main' })
    for (const c of plan.apps[0]?.changes ?? []) {
      expect(typeof c.action).toBe('string')
      expect(typeof c.domain).toBe('string')
      expect(typeof c.reason).toBe('string')
      expect(c.result).toBeUndefined()
    }
    expect(warnings(res).some(w => /offline/.test(w))).toBe(true)
  })

  it('with a token: live state of touched apps only (untouched apps cost no call), no write', async () => {
    const s = rc.addServer('web-1', 11)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 21 })
    const b = rc.addApp(s, 'other', 'other.example.com', { id: 22 })
    rc.seed(a, ['a.example.com', 'gone.example.com'])
    const untouched = { server: 11, app: 22, domains: ['x.example.com'] }
    const r = repo(
      manifest(
        { server: 11, app: 21, domains: ['a.example.com', 'gone.example.com', 'b.example.com'] },
        untouched
      ),
      manifest({ server: 11, app: 21, domains: ['a.example.com', 'c.example.com'] }, untouched)
    )
    const res = await run(r, {
      event: 'pull_request',
      payload: { number: 3, pull_request: { number: 3, base: { sha: r.shas[0] } } },
      inputs: { 'api-token': TOKEN }
    })
    expect(res.exitCode).toBe(0)
    expect(rc.writes()).toHaveLength(0)
    expect(rc.touching(b)).toHaveLength(0)
    expect(json(res.outputs.added)).toEqual(['c.example.com'])
    // b.example.com: in base, not head, not live: nothing to remove.
    expect(json(res.outputs.removed)).toEqual(['gone.example.com'])
  })

  it('base: push before, all-zero before → parent, workflow_dispatch / schedule → parent, base-ref input', async () => {
    const r = repo(
      manifest({ server: 1, app: 2, domains: ['one.example.com'] }),
      manifest({ server: 1, app: 2, domains: ['one.example.com', 'two.example.com'] }),
      manifest({ server: 1, app: 2, domains: ['one.example.com', 'two.example.com', 'three.example.com'] })
    )
    const added = async (event: string, payload: unknown, inputs: Record<string, string> = {}) =>
      json((await run(r, { event, payload, inputs })).outputs.added)
    expect(await added('push', { before: r.shas[0] })).toEqual(['three.example.com', 'two.example.com'])
    expect(await added('push', { before: '0'.repeat(40) })).toEqual(['three.example.com'])
    expect(await added('workflow_dispatch', {})).toEqual(['three.example.com'])
    expect(await added('schedule', {})).toEqual(['three.example.com'])
    expect(await added('push', { before: r.shas[1] }, { 'base-ref': r.shas[0] as string })).toEqual([
      'three.example.com',
      'two.example.com'
    ])
    expect(rc.calls).toHaveLength(0)
  })
})

describe('apply', () => {
  it('adds as alias with settings, updates via PATCH meta, removes; order; one SSL redeploy; idempotent re-run', async () => {
    const s = rc.addServer('web-1')
    const a = rc.addApp(s, 'main', 'main.example.com')
    rc.seed(a, ['keep.example.com', 'old.example.com', 'set.example.com', 'hand.example.com'])
    rc.seed(a, ['stage.example.com'])
    const r = repo(
      manifest({
        server: 'web-1',
        app: 'main',
        ignore: ['stage.*'],
        domains: ['keep.example.com', 'old.example.com', 'set.example.com', 'stage.example.com']
      }),
      manifest({
        server: 'web-1',
        app: 'main',
        ignore: ['stage.*'],
        domains: [
          'keep.example.com',
          { name: 'new.example.com', www: false, redirection: 'www' },
          { name: 'set.example.com', www: false, redirection: 'none' }
        ]
      })
    )
    const res = await run(r, { inputs: apply })
    expect(errors(res)).toEqual([])
    expect(res.exitCode).toBe(0)
    expect(rc.names(a)).toEqual([
      'hand.example.com',
      'keep.example.com',
      'main.example.com',
      'new.example.com',
      'set.example.com',
      'stage.example.com'
    ])
    const writes = rc.writes().map(c => `${c.method} ${c.path.replace(/^.*\/webapps\/\d+/, '')}`)
    const setId = rc.domain(a, 'set.example.com')?.id
    expect(writes).toEqual([
      'POST /domains',
      `PATCH /domains/${setId}/meta`,
      expect.stringMatching(/^DELETE \/domains\/\d+$/),
      `PUT /ssl/${a.cert}`
    ])
    expect(rc.writes()[0]?.body).toEqual({
      name: 'new.example.com',
      type: 'alias',
      www: false,
      redirection: 'www'
    })
    expect(rc.writes()[1]?.body).toMatchObject({ www: false, redirection: 'none' })
    expect(rc.domain(a, 'set.example.com')).toMatchObject({ www: 0, redirection: 'none' })
    expect(json(res.outputs.added)).toEqual(['new.example.com'])
    expect(json(res.outputs.updated)).toEqual(['set.example.com'])
    expect(json(res.outputs.removed)).toEqual(['old.example.com'])
    expect(json(res.outputs.failed)).toEqual([])
    const plan = json<{ apps: { changes: { action: string; result: { status: string } }[] }[] }>(
      res.outputs.plan
    )
    expect(plan.apps[0]?.changes.map(c => `${c.action}:${c.result.status}`)).toEqual([
      'add:done',
      'update:done',
      'remove:done'
    ])

    rc.reset()
    const again = await run(r, { inputs: apply })
    expect(again.exitCode).toBe(0)
    expect(rc.domainWrites()).toHaveLength(0)
    expect(again.outputs['has-changes']).toBe('false')
  })

  it('a duplicate add (422, other wording) found live on read-back is a no-op, not a failure', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    let once = false
    rc.afterList = app => {
      if (!once && app === a) {
        once = true
        rc.seed(a, ['race.example.com'])
      }
    }
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['race.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(errors(res)).toEqual([])
    expect(res.exitCode).toBe(0)
    expect(json(res.outputs.failed)).toEqual([])
  })

  it('an app removed from the manifest loses its base domains, never its primary (error saying so)', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const b = rc.addApp(s, 'gone', 'gone.example.com', { id: 3 })
    rc.seed(b, ['x.example.com', 'y.example.com', 'unlisted.example.com'])
    const keep = { server: 1, app: 2, domains: ['main.example.com'] }
    const r = repo(
      manifest(keep, { server: 1, app: 3, domains: ['gone.example.com', 'x.example.com', 'y.example.com'] }),
      manifest(keep)
    )
    const res = await run(r, { inputs: apply })
    expect(rc.names(b)).toEqual(['gone.example.com', 'unlisted.example.com'])
    expect(rc.touching(a)).toHaveLength(0)
    expect(res.exitCode).toBe(1)
    expect(errors(res).join('\n')).toMatch(/primary/)
    expect(json<{ domain: string; action: string; error: string }[]>(res.outputs.failed)).toEqual([
      { domain: 'gone.example.com', action: 'remove', error: expect.stringMatching(/primary/) }
    ])
    expect(json(res.outputs.removed)).toEqual(['x.example.com', 'y.example.com'])
  })

  it('a failed operation: `failed` has {domain, action, error}, the others still apply, exit 1', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    rc.override = c =>
      c.method === 'POST' && (c.body as { name?: string }).name === 'bad.example.com'
        ? { status: 422, body: { message: 'The domain is not valid for this server.' } }
        : undefined
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['bad.example.com', 'good.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(1)
    expect(rc.names(a)).toContain('good.example.com')
    const failed = json<Record<string, unknown>[]>(res.outputs.failed)
    expect(failed).toHaveLength(1)
    expect(Object.keys(failed[0] ?? {}).sort()).toEqual(['action', 'domain', 'error'])
    expect(failed[0]).toMatchObject({ domain: 'bad.example.com', action: 'add' })
    expect(json(res.outputs.added)).toEqual(['good.example.com'])
  })
})

describe('SSL', () => {
  function twoApps() {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const b = rc.addApp(s, 'other', 'other.example.com', { id: 3 })
    const c = rc.addApp(s, 'nossl', 'nossl.example.com', { id: 4 })
    const r = repo(
      manifest(
        { server: 1, app: 2, domains: [] },
        { server: 1, app: 3, domains: ['o.example.com'] },
        { server: 1, app: 4, ssl: 'none', domains: [] }
      ),
      manifest(
        { server: 1, app: 2, domains: ['a.example.com'] },
        { server: 1, app: 3, domains: ['o.example.com'] },
        { server: 1, app: 4, ssl: 'none', domains: ['n.example.com'] }
      )
    )
    return { a, b, c, r }
  }
  const redeploys = () => rc.calls.filter(c => c.method === 'PUT' && /\/ssl\//.test(c.path))

  it('auto: one redeploy for the app the change adds to; untouched and ssl: none apps cost nothing', async () => {
    const { a, b, c, r } = twoApps()
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(redeploys().map(x => x.path)).toEqual([`/api/v3/servers/1/webapps/2/ssl/${a.cert}`])
    expect(rc.touching(b)).toHaveLength(0)
    expect(rc.touching(c).filter(x => x.path.includes('/ssl'))).toHaveLength(0)
  })

  it('always: every app but ssl: none; never: none', async () => {
    const { a, b, r } = twoApps()
    const res = await run(r, { inputs: { ...apply, 'ssl-redeploy': 'always' } })
    expect(res.exitCode).toBe(0)
    expect(
      redeploys()
        .map(x => x.path)
        .sort()
    ).toEqual(
      [`/api/v3/servers/1/webapps/2/ssl/${a.cert}`, `/api/v3/servers/1/webapps/3/ssl/${b.cert}`].sort()
    )
    rc.reset()
    rc.servers[0]?.apps.forEach(x => (x.domains = x.domains.filter(d => d.type === 'primary')))
    const never = await run(r, { inputs: { ...apply, 'ssl-redeploy': 'never' } })
    expect(never.exitCode).toBe(0)
    expect(rc.calls.filter(x => x.path.includes('/ssl'))).toHaveLength(0)
  })

  it('no certificate (200 "SSL not installed!") is a warning, not a failure', async () => {
    const s = rc.addServer('web-1', 1)
    rc.addApp(s, 'main', 'main.example.com', { id: 2, cert: false })
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(warnings(res).some(w => /certificate/i.test(w))).toBe(true)
    expect(redeploys()).toHaveLength(0)
  })

  it('advanced SSL: per added domain, redeploy its certificate, or install one when none and AutoSSL is off', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2, advanced: true })
    rc.seed(a, ['old.example.com'])
    const r = repo(
      manifest({ server: 1, app: 2, domains: ['old.example.com'] }),
      manifest({ server: 1, app: 2, domains: ['old.example.com', 'a.example.com', 'b.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    const ids = ['a.example.com', 'b.example.com'].map(n => rc.domain(a, n)?.id)
    const ssl = rc.writes().filter(c => c.path.includes('/ssl'))
    expect(ssl.map(c => `${c.method} ${c.path.replace(/^.*\/webapps\/\d+/, '')}`).sort()).toEqual(
      ids.map(id => `POST /domains/${id}/ssl`).sort()
    )
    expect(ssl[0]?.body).toMatchObject({ provider: 'letsencrypt', authorizationMethod: 'http-01' })
    // With AutoSSL on, an added domain without a certificate is left to AutoSSL.
    a.autoSsl = true
    rc.reset()
    const r2 = repo(
      manifest({ server: 1, app: 2, domains: ['old.example.com'] }),
      manifest({ server: 1, app: 2, domains: ['old.example.com', 'c.example.com'] })
    )
    const auto = await run(r2, { inputs: apply })
    expect(auto.exitCode).toBe(0)
    expect(rc.writes().filter(c => c.path.includes('/ssl'))).toHaveLength(0)
  })

  it('advanced SSL: an added domain that has a certificate is redeployed with PUT', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2, advanced: true })
    // The certificate is there by the time it is read (as AutoSSL would issue it).
    rc.override = c => {
      if (c.method === 'GET' && /\/domains\/\d+\/ssl$/.test(c.path)) {
        const id = /\/domains\/(\d+)\/ssl$/.exec(c.path)?.[1] as string
        if (!a.domainCerts.has(id)) a.domainCerts.set(id, '777')
      }
      return undefined
    }
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    const id = rc.domain(a, 'a.example.com')?.id
    expect(
      rc
        .writes()
        .filter(c => c.path.includes('/ssl'))
        .map(c => `${c.method} ${c.path}`)
    ).toEqual([`PUT /api/v3/servers/1/webapps/2/domains/${id}/ssl/777`])
  })
})

describe('safety', () => {
  it('an unsafe apply writes nothing anywhere; plan warns; force applies', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'big', 'big.example.com', { id: 2 })
    const b = rc.addApp(s, 'small', 'small.example.com', { id: 3 })
    const names = Array.from({ length: 11 }, (_, i) => `d${i}.example.com`)
    rc.seed(a, names)
    const r = repo(
      manifest({ server: 1, app: 2, label: 'big-app', domains: names }, { server: 1, app: 3, domains: [] }),
      manifest(
        { server: 1, app: 2, label: 'big-app', domains: names.slice(0, 7) },
        { server: 1, app: 3, domains: ['new.example.com'] }
      )
    )
    const plan = await run(r, { inputs: { 'api-token': TOKEN } })
    expect(plan.exitCode).toBe(0)
    expect(warnings(plan).some(w => /big-app/.test(w) && /4 of 12/.test(w))).toBe(true)

    const refused = await run(r, { inputs: apply })
    expect(refused.exitCode).toBe(1)
    expect(errors(refused).join('\n')).toMatch(/big-app.*4 of 12 domains \(33\.3%\)/s)
    expect(rc.writes()).toHaveLength(0)
    expect(rc.names(b)).toEqual(['small.example.com'])

    const forced = await run(r, { inputs: { ...apply, force: 'true' } })
    expect(forced.exitCode).toBe(0)
    expect(rc.names(a)).toHaveLength(8)
    expect(rc.names(b)).toContain('new.example.com')
  })

  it('apps with fewer than 10 live domains are never unsafe', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const names = Array.from({ length: 8 }, (_, i) => `d${i}.example.com`)
    rc.seed(a, names)
    const r = repo(
      manifest({ server: 1, app: 2, domains: names }),
      manifest({ server: 1, app: 2, domains: [] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(rc.names(a)).toEqual(['main.example.com'])
  })
})

describe('drift', () => {
  function world() {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const b = rc.addApp(s, 'excl', 'excl.example.com', { id: 3 })
    rc.seed(a, ['a.example.com', 'extra.example.com'])
    rc.seed(a, ['s.example.com'], 'alias', false, 'none')
    rc.seed(b, ['b.example.com', 'stray.example.com', 'keep.staging.example.com'])
    return { a, b }
  }
  const head = (exclusive: boolean) =>
    manifest(
      { server: 1, app: 2, domains: ['a.example.com', 's.example.com'] },
      { server: 1, app: 3, exclusive, ignore: ['*.staging.example.com'], domains: ['b.example.com'] }
    )
  const drift = { mode: 'drift', 'api-token': TOKEN }

  it('unmanaged in a non-exclusive app is not drift; settings and missing are', async () => {
    const { a } = world()
    const r = repo(head(false))
    const clean = await run(r, { event: 'schedule', inputs: drift })
    // s.example.com: live www 0 / none, manifest default www true / non-www → settings drift.
    expect(clean.outputs.drift).toBe('true')
    expect(clean.exitCode).toBe(1)
    expect(json(clean.outputs.updated)).toEqual(['s.example.com'])
    expect(rc.writes()).toHaveLength(0)
    const sd = rc.domain(a, 's.example.com') as FDomain
    sd.www = 1
    sd.redirection = 'non-www'
    const none = await run(r, { event: 'schedule', inputs: drift })
    expect(none.outputs.drift).toBe('false')
    expect(none.exitCode).toBe(0)
    a.domains = a.domains.filter(d => d.name !== 'a.example.com')
    const missing = await run(r, { event: 'schedule', inputs: { ...drift, 'fail-on-drift': 'false' } })
    expect(missing.outputs.drift).toBe('true')
    expect(missing.exitCode).toBe(0)
    expect(json(missing.outputs.added)).toEqual(['a.example.com'])
  })

  it('exclusive: unmanaged is drift; reconcile fixes it and passes; a failed fix fails the step', async () => {
    const { a, b } = world()
    const r = repo(head(true))
    const found = await run(r, { event: 'schedule', inputs: drift })
    expect(found.exitCode).toBe(1)
    expect(found.outputs.drift).toBe('true')
    expect(json(found.outputs.removed)).toEqual(['stray.example.com'])

    const fixed = await run(r, { event: 'schedule', inputs: { ...drift, reconcile: 'true' } })
    expect(errors(fixed)).toEqual([])
    expect(fixed.exitCode).toBe(0)
    expect(fixed.outputs.drift).toBe('true')
    expect(rc.names(b)).toEqual(['b.example.com', 'excl.example.com', 'keep.staging.example.com'])
    expect(rc.domain(a, 's.example.com')).toMatchObject({ www: 1, redirection: 'non-www' })
    expect(rc.names(a)).toContain('extra.example.com')

    rc.seed(b, ['stray2.example.com'])
    rc.override = c =>
      c.method === 'DELETE' ? { status: 403, body: { message: 'This action is unauthorized.' } } : undefined
    const broken = await run(r, { event: 'schedule', inputs: { ...drift, reconcile: 'true' } })
    expect(broken.exitCode).toBe(1)
    expect(broken.outputs.drift).toBe('true')
  })
})

describe('legacy API v2', () => {
  it('api-key and api-secret: HTTP Basic, a warning that v2 is discontinued', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['a.example.com'] })
    )
    const res = await run(r, {
      inputs: { mode: 'apply', 'api-key': KEY, 'api-secret': SECRET, 'api-url': `${rc.url}/api/v2` }
    })
    expect(res.exitCode).toBe(0)
    expect(rc.names(a)).toContain('a.example.com')
    expect(rc.calls.every(c => c.auth.startsWith('Basic ') && c.path.startsWith('/api/v2/'))).toBe(true)
    expect(warnings(res).some(w => /v2/.test(w) && /discontinued/.test(w))).toBe(true)
  })
})

describe('more cases', () => {
  it('advanced SSL: a declared-new domain that is already live: only its certificate', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2, advanced: true })
    rc.seed(a, ['old1.example.com', 'old2.example.com', 'pre.example.com'])
    for (const d of a.domains) a.domainCerts.set(d.id, `9${d.id}`)
    const r = repo(
      manifest({ server: 1, app: 2, domains: ['old1.example.com', 'old2.example.com'] }),
      manifest({ server: 1, app: 2, domains: ['old1.example.com', 'old2.example.com', 'pre.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    const id = rc.domain(a, 'pre.example.com')?.id
    expect(rc.writes().map(c => `${c.method} ${c.path}`)).toEqual([
      `PUT /api/v3/servers/1/webapps/2/domains/${id}/ssl/9${id}`
    ])
  })

  it('plan with a token and an unknown app: API error fails the step', async () => {
    rc.addServer('web-1', 1)
    const r = repo(
      manifest({ server: 1, app: 2, domains: [] }),
      manifest({ server: 1, app: 2, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: { 'api-token': TOKEN } })
    expect(res.exitCode).toBe(1)
    expect(errors(res).join('\n')).toMatch(/not found/)
    expect(rc.writes()).toHaveLength(0)
  })

  it('drift over 45 domains on two pages', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const names = Array.from({ length: 45 }, (_, i) => `d${i}.example.com`)
    rc.seed(a, names)
    const r = repo(manifest({ server: 1, app: 2, exclusive: true, domains: names }))
    const res = await run(r, { event: 'schedule', inputs: { mode: 'drift', 'api-token': TOKEN } })
    expect(res.outputs.drift).toBe('false')
    expect(res.exitCode).toBe(0)
    expect(rc.calls.map(c => c.query)).toEqual(['?page=1&perPage=40', '?page=2&perPage=40'])
  })
})

describe('limits', () => {
  it('reconcile of an unsafe drift writes nothing; update-only apply redeploys nothing; 429 retried once', async () => {
    const s = rc.addServer('web-1', 1)
    const a = rc.addApp(s, 'main', 'main.example.com', { id: 2 })
    const names = Array.from({ length: 12 }, (_, i) => `d${i}.example.com`)
    rc.seed(a, names)
    const r = repo(manifest({ server: 1, app: 2, exclusive: true, domains: names.slice(0, 2) }))
    const res = await run(r, {
      event: 'schedule',
      inputs: { mode: 'drift', 'api-token': TOKEN, reconcile: 'true' }
    })
    expect(res.exitCode).toBe(1)
    expect(errors(res).join('\n')).toMatch(/removes 10 of 13 domains/)
    expect(rc.writes()).toHaveLength(0)

    rc.reset()
    const r2 = repo(
      manifest({ server: 1, app: 2, domains: ['d0.example.com'] }),
      manifest({ server: 1, app: 2, domains: [{ name: 'd0.example.com', www: false }] })
    )
    let limited = 0
    rc.override = c =>
      c.method === 'PATCH' && limited++ === 0
        ? {
            status: 429,
            body: { message: 'Too Many Attempts.' },
            headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' }
          }
        : undefined
    const upd = await run(r2, { inputs: apply })
    expect(upd.exitCode).toBe(0)
    const id = rc.domain(a, 'd0.example.com')?.id
    expect(rc.writes().map(c => `${c.method} ${c.path}`)).toEqual([
      `PATCH /api/v3/servers/1/webapps/2/domains/${id}/meta`,
      `PATCH /api/v3/servers/1/webapps/2/domains/${id}/meta`
    ])
    expect(rc.domain(a, 'd0.example.com')?.www).toBe(0)
  })
})
