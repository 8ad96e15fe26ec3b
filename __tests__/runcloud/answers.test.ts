/**
 * The client against the simulator, over real HTTP: answers that are not success (redirects, 1xx,
 * 204/202/304, 2xx without the object, huge bodies, local errors), the SSL redeploy's re-sends,
 * fidelity to RunCloud (live type kept, install body, "no certificate" styles, list item shapes),
 * and parallel pages.
 */
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { createClient } from '../../src/runcloud/client.js'
import type { ClientOptions, LiveDomain } from '../../src/runcloud/types.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../test-support/simulator/server.js'

const TOKEN = 'tok-ANSWERS-5c4b3a29'
const settings = { www: true, redirection: 'non-www' as const }

let sim: Simulator
let sid: number
let aid: number
let logs: string[]

async function setup(opts: SimulatorOptions = {}): Promise<void> {
  sim = await startSimulator({ token: TOKEN, ...opts })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  logs = []
}
afterEach(async () => sim?.close())

function client(extra: Partial<ClientOptions> = {}) {
  return createClient({
    baseUrl: sim.url,
    token: TOKEN,
    concurrency: 4,
    backoffMs: 5,
    timeoutMs: 500,
    log: m => logs.push(m),
    ...extra
  })
}
const names = () => sim.domains(sid, aid).map(d => d.name)
const writes = (method: string) => sim.callLog.filter(c => c.method === method)

describe('a write is done only when RunCloud confirmed it', () => {
  it.each([301, 302, 307])(
    'a redirect (%i) is a failed write naming where to and api-url; never followed, nothing read back',
    async status => {
      await setup()
      sim.inject({
        method: 'POST',
        fault: { status, body: '', headers: { location: 'https://manage.runcloud.io/login' } }
      })
      const api = client()
      const err = (await api.addDomain(sid, aid, 'r.example.com', settings).catch((e: unknown) => e)) as Error
      expect(err.message).toMatch(
        new RegExp(`redirect \\(HTTP ${status}\\) to https://manage\\.runcloud\\.io/login.*check api-url`)
      )
      expect(names()).not.toContain('r.example.com')
      // One request: not followed to the login page, not re-sent.
      expect(sim.calls).toBe(1)
    }
  )

  it('a 304 is a failed write that says so', async () => {
    await setup()
    sim.inject({ method: 'POST', fault: { status: 304, body: '' } })
    await expect(client().addDomain(sid, aid, 'n.example.com', settings)).rejects.toThrow(
      /HTTP 304 \(not modified\): nothing was done.*api-url/
    )
  })

  it.each([
    [204, ''],
    [202, '{"message":"queued"}'],
    [200, '{}'],
    [200, '{"message":"Domain added"}'],
    [201, '{"id":1}']
  ])(
    'an add answered %i %s without the domain: failed when a read-back does not show it, done when it does',
    async (status, body) => {
      await setup()
      sim.inject({ method: 'POST', fault: { status, body, contentType: 'application/json' } })
      const api = client()
      const err = (await api.addDomain(sid, aid, 'a.example.com', settings).catch((e: unknown) => e)) as Error
      expect(err).toBeInstanceOf(Error)
      expect(err.message).toMatch(
        new RegExp(
          `adding a\\.example\\.com failed: RunCloud answered POST .* with HTTP ${status}.*reading back shows it was not done`
        )
      )
      expect(names()).not.toContain('a.example.com')
      sim.inject({ method: 'POST', fault: { status, body, contentType: 'application/json', apply: true } })
      const out = await api.addDomain(sid, aid, 'b.example.com', settings)
      expect(out).toMatchObject({ status: 'done', detail: 'confirmed by reading back' })
      expect(out.domain?.name).toBe('b.example.com')
      // Never sent twice.
      expect(writes('POST')).toHaveLength(2)
    }
  )

  it('a removal answered without the deleted domain is read back; an update answered 204 is read back', async () => {
    await setup()
    sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'], { www: false, redirection: 'none' })
    const api = client()
    const [, a, b] = await api.listDomains(sid, aid)
    sim.inject({ method: 'DELETE', fault: { status: 200, body: '{}', contentType: 'application/json' } })
    await expect(api.removeDomain(sid, aid, a!)).rejects.toThrow(/removing a\.example\.com failed.*HTTP 200/)
    expect(names()).toContain('a.example.com')
    sim.inject({
      method: 'DELETE',
      fault: { status: 200, body: '{}', contentType: 'application/json', apply: true }
    })
    expect(await api.removeDomain(sid, aid, a!)).toMatchObject({
      status: 'done',
      detail: 'confirmed by reading back'
    })
    sim.inject({ method: 'PATCH', fault: { status: 204, body: '' } })
    await expect(api.updateDomain(sid, aid, b!, settings)).rejects.toThrow(
      /changing b\.example\.com failed.*HTTP 204/
    )
    sim.inject({ method: 'PATCH', fault: { status: 204, body: '', apply: true } })
    expect(await api.updateDomain(sid, aid, b!, settings)).toMatchObject({ status: 'done' })
    expect(sim.domains(sid, aid).find(d => d.name === 'b.example.com')).toMatchObject({ www: true })
  })

  it('a 1xx with nothing after it is a failed write, not a retry loop', async () => {
    // A server that sends an interim answer and closes: no final answer ever comes.
    const server: Server = createServer(socket => {
      socket.once('data', () => socket.end('HTTP/1.1 102 Processing\r\n\r\n'))
    })
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    try {
      const { port } = server.address() as AddressInfo
      const api = createClient({
        baseUrl: `http://127.0.0.1:${port}/api/v3`,
        token: TOKEN,
        concurrency: 1,
        backoffMs: 1
      })
      const live: LiveDomain = { id: 5, name: 'x.example.com', type: 'alias', www: true, redirection: 'none' }
      await expect(api.removeDomain(1, 2, live)).rejects.toThrow(
        /removing x\.example\.com failed|did not answer/
      )
      expect(api.calls).toBeLessThanOrEqual(10)
    } finally {
      server.close()
    }
  })
})

describe('local errors and large answers', () => {
  it('a token with a line break is a clear local error: nothing sent, no retry', async () => {
    await setup()
    const api = createClient({ baseUrl: sim.url, token: 'abc\ndef', concurrency: 2, backoffMs: 1 })
    const err = (await api.listDomains(sid, aid).catch((e: unknown) => e)) as Error
    expect(err.message).toMatch(/could not be made here.*UND_ERR_INVALID_ARG.*Nothing was sent.*line breaks/)
    expect(err.message).not.toContain('abc\ndef')
    expect(sim.calls).toBe(0)
    const write = (await api.addDomain(sid, aid, 'a.example.com', settings).catch((e: unknown) => e)) as Error
    expect(write.message).toMatch(/UND_ERR_INVALID_ARG/)
    expect(sim.calls).toBe(0)
  })

  it('an answer over 10 MiB is an error, read no further and not retried', async () => {
    await setup()
    sim.inject({ method: 'GET', fault: { status: 200, bodyBytes: 50 * 1024 * 1024 } })
    const api = client({ timeoutMs: 20_000 })
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/with HTTP 200 with a body over 10 MiB, not read/)
    expect(sim.calls).toBe(1)
    // Just under the bound is read (and then judged on its content).
    sim.inject({ method: 'GET', fault: { status: 200, bodyBytes: 10 * 1024 * 1024 } })
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/without a "data" list/)
  })
})

describe('the SSL redeploy PUT', () => {
  it.each([
    ['429 with Retry-After', { status: 429, retryAfter: 1 }],
    ['502', { status: 502 }],
    ['503', { status: 503 }],
    ['504', { status: 504 }],
    ['a reset', 'reset'],
    ['a timeout', 'stall']
  ] as const)('is re-sent after %s, and the re-send logged on one line', async (_, fault) => {
    await setup()
    const api = client({ timeoutMs: 300 })
    const cert = await api.getBasicCertificate(sid, aid)
    sim.inject({ method: 'PUT', fault })
    await api.redeployBasicCertificate(sid, aid, cert!.id)
    expect(writes('PUT')).toHaveLength(2)
    expect(sim.state.app(sid, aid)?.sslEvents).toEqual(['redeploy'])
    expect(logs.filter(l => /PUT|rate limit/.test(l)).length).toBeGreaterThanOrEqual(1)
    for (const l of logs) expect(l).not.toMatch(/[\r\n]/)
  })

  it('after a second timeout or reset it is reported, not sent a third time; a 500 is never re-sent', async () => {
    await setup()
    const api = client({ timeoutMs: 300 })
    const cert = await api.getBasicCertificate(sid, aid)
    sim.inject({ method: 'PUT', fault: 'reset', times: 2 })
    await expect(api.redeployBasicCertificate(sid, aid, cert!.id)).rejects.toThrow(
      /may or may not have happened/
    )
    expect(writes('PUT')).toHaveLength(2)
    sim.inject({ method: 'PUT', fault: { status: 500 } })
    await expect(api.redeployBasicCertificate(sid, aid, cert!.id)).rejects.toThrow(
      /may or may not have happened/
    )
    expect(writes('PUT')).toHaveLength(3)
  })

  it('a redirect or a 204 is not a redeploy', async () => {
    await setup()
    const api = client()
    const cert = await api.getBasicCertificate(sid, aid)
    sim.inject({ method: 'PUT', fault: { status: 302, body: '', headers: { location: '/login' } } })
    await expect(api.redeployBasicCertificate(sid, aid, cert!.id)).rejects.toThrow(
      /redirect \(HTTP 302\) to \/login/
    )
    sim.inject({ method: 'PUT', fault: { status: 204, body: '' } })
    await expect(api.redeployBasicCertificate(sid, aid, cert!.id)).rejects.toThrow(
      /not confirmed: RunCloud answered HTTP 204 \(no content\)/
    )
    expect(sim.state.app(sid, aid)?.sslEvents).toEqual([])
  })
})

describe('fidelity', () => {
  it('an update sends the live type unchanged: a primary or a redirect never becomes an alias', async () => {
    await setup()
    sim.addDomains(sid, aid, [{ name: 'old.example.com', type: 'redirect' }])
    const api = client()
    const [primary, redirect] = await api.listDomains(sid, aid)
    expect([primary?.type, redirect?.type]).toEqual(['primary', 'redirect'])
    await api.updateDomain(sid, aid, primary!, settings)
    await api.updateDomain(sid, aid, redirect!, settings)
    expect(sim.domains(sid, aid).map(d => [d.name, d.type, d.www])).toEqual([
      ['main.example.com', 'primary', true],
      ['old.example.com', 'redirect', true]
    ])
    const bodies = writes('PATCH').map(c => JSON.parse(c.body ?? '{}') as Record<string, unknown>)
    expect(bodies.map(b => b.type)).toEqual(['primary', 'redirect'])
    // A domain whose type RunCloud did not say: no type is sent at all.
    const { type: _dropped, ...untyped } = redirect!
    await api.updateDomain(sid, aid, untyped, { www: false, redirection: 'none' })
    expect(JSON.parse(writes('PATCH').at(-1)?.body ?? '{}')).toEqual({ www: false, redirection: 'none' })
    expect(sim.domains(sid, aid)[1]?.type).toBe('redirect')
  })

  it('list items without id and name are an error naming the shape, never "no domains"', async () => {
    await setup({ listFields: { id: 'domain_id', name: 'domain_name' } })
    const api = client()
    await expect(api.listDomains(sid, aid)).rejects.toThrow(
      /list items this action cannot read: it needs "id" and "name" in each, and got an object with domain_id, domain_name, type/
    )
    await expect(api.resolveServer('web-1')).rejects.toThrow(/cannot read: it needs "id" and "name"/)
  })

  it('the advanced-SSL install body carries advancedSSL: true and autoSSL: false', async () => {
    await setup()
    const adv = sim.addApp(sid, {
      name: 'adv',
      primary: 'adv.example.com',
      ssl: { advanced: true, autoSsl: false }
    })
    const api = client()
    const [d] = await api.listDomains(sid, adv.id)
    await api.installDomainCertificate(sid, adv.id, d!.id)
    expect(JSON.parse(writes('POST')[0]?.body ?? '{}')).toEqual({
      provider: 'letsencrypt',
      authorizationMethod: 'http-01',
      environment: 'live',
      enableHttp: false,
      enableHsts: false,
      advancedSSL: true,
      autoSSL: false
    })
    expect(adv.sslEvents).toEqual(['install adv.example.com'])
  })

  it.each(['per-endpoint', 'message', '404', '400'] as const)(
    '"no certificate" reads as none on both endpoints (%s style)',
    async sslNotInstalled => {
      await setup({ sslNotInstalled })
      const bare = sim.addApp(sid, { name: 'bare', primary: 'bare.example.com', ssl: { installed: false } })
      const api = client()
      expect(await api.getBasicCertificate(sid, bare.id)).toBeUndefined()
      const [d] = await api.listDomains(sid, bare.id)
      expect(await api.getDomainCertificate(sid, bare.id, d!.id)).toBeUndefined()
      // Each read once: "none" is an answer, not a failure to retry.
      expect(sim.callsByRoute()['GET /servers/:id/webapps/:id/ssl']).toBe(1)
      expect(sim.callsByRoute()['GET /servers/:id/webapps/:id/domains/:id/ssl']).toBe(1)
    }
  )
})

describe('pages', () => {
  it.each(['total_pages', 'lastPage'] as const)(
    'with totals (%s), pages after the first are fetched in parallel within concurrency',
    async pagination => {
      await setup({ pagination, latencyMs: 30 })
      sim.seedDomains(
        sid,
        aid,
        Array.from({ length: 399 }, (_, i) => `d${i}.example.com`)
      )
      sim.resetCalls()
      const api = client({ concurrency: 4, timeoutMs: 5000 })
      const all = await api.listDomains(sid, aid)
      expect(all).toHaveLength(400)
      expect(new Set(all.map(d => d.id)).size).toBe(400)
      expect(api.calls).toBe(10)
      expect(sim.maxInFlight).toBe(4)
    }
  )
  it('without totals, one page after another until a short page', async () => {
    await setup({ pagination: 'none', latencyMs: 10 })
    sim.seedDomains(
      sid,
      aid,
      Array.from({ length: 98 }, (_, i) => `d${i}.example.com`)
    )
    sim.resetCalls()
    const api = client({ concurrency: 4 })
    expect(await api.listDomains(sid, aid)).toHaveLength(99)
    expect(api.calls).toBe(3)
    expect(sim.maxInFlight).toBe(1)
  })
})
