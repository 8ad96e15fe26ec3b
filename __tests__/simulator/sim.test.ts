/** The simulator's own behaviour, checked with plain HTTP (not our client), against docs/runcloud-api.md. */
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'
import { DEMO_WORLD } from '../../test-support/demo-world.js'
import { loadWorld, seedManyDomains } from '../../test-support/simulator/world.js'

let sim: Simulator
let base: string
let sid: number
let aid: number
beforeEach(async () => {
  sim = await startSimulator({ token: 't0k' })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  base = `${sim.url}/servers/${sid}/webapps/${aid}`
})
afterEach(() => sim.close())

const call = async (method: string, url: string, body?: unknown, token = 't0k') => {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown> & { data?: Record<string, unknown>[] }
  }
}

it('answers ping and refuses a wrong token', async () => {
  expect((await call('GET', `${sim.url}/ping`)).body).toEqual({ message: 'pong' })
  expect((await call('GET', `${sim.url}/ping`, undefined, 'nope')).status).toBe(401)
})

it('adds a domain as a bare object with 0/1 booleans, and lists it in the envelope', async () => {
  const added = await call('POST', `${base}/domains`, {
    name: 'a.example.com',
    type: 'alias',
    www: true,
    redirection: 'non-www'
  })
  expect(added.status).toBe(200)
  expect(added.body).toMatchObject({
    name: 'a.example.com',
    type: 'alias',
    www: 1,
    redirection: 'non-www',
    wildcard: 0
  })
  const list = await call('GET', `${base}/domains?page=1&perPage=40`)
  expect(list.body.data?.map(d => d.name)).toEqual(['main.example.com', 'a.example.com'])
  expect(list.body.meta).toMatchObject({
    pagination: { total: 2, count: 2, per_page: 40, current_page: 1, total_pages: 1 }
  })
})

it('answers 422 with field errors for a taken or invalid name', async () => {
  const taken = await call('POST', `${base}/domains`, {
    name: 'main.example.com',
    type: 'alias',
    www: false,
    redirection: 'none'
  })
  expect(taken.status).toBe(422)
  expect(taken.body).toMatchObject({ errors: { name: ['The name has already been taken.'] } })
  expect((await call('POST', `${base}/domains`, { name: 'not a name', type: 'alias' })).status).toBe(422)
})

it('protects the primary domain and answers 404 for unknown ids', async () => {
  const primary = sim.domains(sid, aid)[0]!
  expect((await call('DELETE', `${base}/domains/${primary.id}`)).status).toBe(422)
  expect((await call('DELETE', `${base}/domains/99999`)).status).toBe(404)
})

it('caps perPage at 40 and pages with either envelope', async () => {
  sim.seedDomains(
    sid,
    aid,
    Array.from({ length: 50 }, (_, i) => `d${i}.example.com`)
  )
  const page2 = await call('GET', `${base}/domains?page=2&perPage=100`)
  expect(page2.body.data).toHaveLength(11)
  await sim.close()
  sim = await startSimulator({ token: 't0k', pagination: 'lastPage' })
  sid = sim.addServer({ name: 'w' }).id
  aid = sim.addApp(sid, { name: 'm', primary: 'm.example.com' }).id
  const list = await call('GET', `${sim.url}/servers/${sid}/webapps/${aid}/domains`)
  expect(list.body.meta).toMatchObject({ lastPage: 1 })
})

it('sends rate-limit headers and 429 past the limit', async () => {
  await sim.close()
  sim = await startSimulator({ token: 't0k', rateLimit: { limit: 2, windowMs: 60_000 } })
  const a = await call('GET', `${sim.url}/ping`)
  expect(a.headers.get('x-ratelimit-remaining')).toBe('1')
  await call('GET', `${sim.url}/ping`)
  const limited = await call('GET', `${sim.url}/ping`)
  expect(limited.status).toBe(429)
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(sim.calls).toBe(3)
})

it('applies a write and then answers 500 when told to', async () => {
  sim.inject({ method: 'POST', path: /\/domains$/, fault: 'applied-500' })
  expect((await call('POST', `${base}/domains`, { name: 'b.example.com', type: 'alias' })).status).toBe(500)
  expect(sim.domains(sid, aid).map(d => d.name)).toContain('b.example.com')
})

describe('further behaviour', () => {
  const restart = async (opts: Parameters<typeof startSimulator>[0]) => {
    await sim.close()
    sim = await startSimulator({ token: 't0k', ...opts })
    sid = sim.addServer({ name: 'web-1' }).id
    aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
    base = `${sim.url}/servers/${sid}/webapps/${aid}`
  }

  it('pages default to 20, and the no-totals variant sends no totals at all', async () => {
    sim.seedDomains(
      sid,
      aid,
      Array.from({ length: 24 }, (_, i) => `d${i}.example.com`)
    )
    const first = await call('GET', `${base}/domains`)
    expect(first.body.data).toHaveLength(20)
    expect(first.body.meta).toMatchObject({ pagination: { total: 25, per_page: 20, total_pages: 2 } })
    await restart({ pagination: 'none' })
    const bare = await call('GET', `${base}/domains?perPage=40`)
    const p = (bare.body.meta as { pagination: Record<string, unknown> }).pagination
    expect(Object.keys(p).sort()).toEqual(['count', 'current_page', 'links'])
  })

  it('searches servers and apps by part of the name, and 404s an unknown server', async () => {
    sim.addServer({ name: 'db-1' })
    const found = await call('GET', `${sim.url}/servers?search=WEB`)
    expect(found.body.data?.map(s => s.name)).toEqual(['web-1'])
    expect((await call('GET', `${sim.url}/servers/${sid}/webapps?search=mai`)).body.data).toHaveLength(1)
    expect((await call('GET', `${sim.url}/servers/999999/webapps`)).status).toBe(404)
    expect((await call('GET', `${sim.url}/servers/${sid}/webapps/999999/domains`)).status).toBe(404)
  })

  it('gets, changes (PATCH meta, bools back as 0/1) and deletes a domain, answering bare objects', async () => {
    const [d] = sim.addDomains(sid, aid, [{ name: 'a.example.com', www: true, redirection: 'www' }])
    expect((await call('GET', `${base}/domains/${d!.id}`)).body).toMatchObject({ id: d!.id, www: 1 })
    const patched = await call('PATCH', `${base}/domains/${d!.id}/meta`, {
      type: 'alias',
      www: false,
      redirection: 'none'
    })
    expect(patched.body).toHaveProperty('message')
    expect((await call('GET', `${base}/domains/${d!.id}`)).body).toMatchObject({
      www: 0,
      redirection: 'none'
    })
    expect((await call('PATCH', `${base}/domains/${d!.id}/meta`, { redirection: 'up' })).status).toBe(422)
    const deleted = await call('DELETE', `${base}/domains/${d!.id}`)
    expect(deleted.body).toMatchObject({ id: d!.id, name: 'a.example.com' })
    expect((await call('GET', `${base}/domains/${d!.id}`)).status).toBe(404)
  })

  it('refuses a bad redirection or a non-boolean www on add', async () => {
    const bad = await call('POST', `${base}/domains`, {
      name: 'a.example.com',
      type: 'alias',
      redirection: 'up'
    })
    expect(bad.body).toMatchObject({ errors: { redirection: [expect.any(String)] } })
    expect(
      (await call('POST', `${base}/domains`, { name: 'a.example.com', type: 'alias', www: 'yes' })).status
    ).toBe(422)
    expect(sim.domains(sid, aid)).toHaveLength(1)
  })

  it('accepts HTTP Basic under /api/v2 only, and Bearer under /api/v3 only', async () => {
    await sim.close()
    sim = await startSimulator({ token: 't0k', apiKey: 'k', apiSecret: 's' })
    const basic = `Basic ${Buffer.from('k:s').toString('base64')}`
    const get = (url: string, authorization: string) => fetch(url, { headers: { authorization } })
    expect((await get(`${sim.urlV2}/ping`, basic)).status).toBe(200)
    expect((await get(`${sim.url}/ping`, basic)).status).toBe(401)
    expect((await get(`${sim.urlV2}/ping`, 'Bearer t0k')).status).toBe(401)
  })

  it('SSL: basic and advanced state, both "not installed" variants, PUT redeploys recorded', async () => {
    const bare = sim.addApp(sid, { name: 'bare', primary: 'bare.example.com', ssl: { installed: false } })
    const adv = sim.addApp(sid, {
      name: 'adv',
      primary: 'adv.example.com',
      ssl: { advanced: true, autoSsl: true }
    })
    const appUrl = (id: number) => `${sim.url}/servers/${sid}/webapps/${id}`
    expect((await call('GET', `${appUrl(bare.id)}/ssl`)).body).toEqual({ message: 'SSL not installed!' })
    expect((await call('GET', `${appUrl(adv.id)}/ssl/advanced`)).body).toMatchObject({
      advancedSSL: true,
      autoSSL: true
    })
    const cert = (await call('GET', `${base}/ssl`)).body
    expect(cert.id).toEqual(expect.any(Number))
    expect((await call('PUT', `${base}/ssl/${cert.id as number}`)).body).toEqual({})
    expect((await call('PUT', `${base}/ssl/1`)).status).toBe(404)
    expect(sim.state.app(sid, aid)?.sslEvents).toEqual(['redeploy'])
    await restart({ sslNotInstalled: '404' })
    const none = sim.addApp(sid, { name: 'none', primary: 'none.example.com', ssl: { installed: false } })
    expect((await call('GET', `${sim.url}/servers/${sid}/webapps/${none.id}/ssl`)).status).toBe(404)
  })

  it('429 without Retry-After when so switched, and a fresh window after windowMs', async () => {
    await restart({ rateLimit: { limit: 1, windowMs: 300, retryAfter: false } })
    expect((await call('GET', `${sim.url}/ping`)).status).toBe(200)
    const limited = await call('GET', `${sim.url}/ping`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBeNull()
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0')
    await new Promise(r => setTimeout(r, 320))
    expect((await call('GET', `${sim.url}/ping`)).status).toBe(200)
  })

  it('faults: `after` and `times` select which requests, and every request is counted by route', async () => {
    sim.inject({ method: 'GET', path: '/ping', after: 1, times: 2, fault: { status: 503 } })
    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await fetch(`${sim.url}/ping`, { headers: { authorization: 'Bearer t0k' } })).status)
    expect(statuses).toEqual([200, 503, 503, 200])
    await call('GET', `${base}/domains`)
    expect(sim.callsByRoute()).toEqual({ 'GET /ping': 4, 'GET /servers/:id/webapps/:id/domains': 1 })
    expect(sim.calls).toBe(5)
  })

  it('an HTML fault and a reset are what they say', async () => {
    sim.inject({ fault: 'html' })
    const res = await fetch(`${sim.url}/ping`, { headers: { authorization: 'Bearer t0k' } })
    expect(res.status).toBe(502)
    expect(await res.text()).toMatch(/^<html>.*Bad Gateway/)
    sim.inject({ fault: 'reset' })
    await expect(fetch(`${sim.url}/ping`, { headers: { authorization: 'Bearer t0k' } })).rejects.toThrow()
  })

  it('control API (opt-in): state, calls and faults, none of it counted', async () => {
    const root = sim.url.replace(/\/api\/v3$/, '')
    expect((await fetch(`${root}/__sim/state`)).status).toBe(404) // off by default: looks like any unknown path
    await restart({ control: true })
    const r = sim.url.replace(/\/api\/v3$/, '')
    const post = (path: string, body: unknown) =>
      fetch(`${r}${path}`, { method: 'POST', body: JSON.stringify(body) })
    expect(
      (await post('/__sim/faults', { method: 'GET', pathRegex: '^/ping$', fault: { status: 500 } })).status
    ).toBe(200)
    expect((await call('GET', `${sim.url}/ping`)).status).toBe(500)
    expect(
      (await post('/__sim/domains', { serverId: sid, appId: aid, names: ['c.example.com'] })).status
    ).toBe(200)
    const state = (await (await fetch(`${r}/__sim/state`)).json()) as {
      apps: { domains: { name: string }[] }[]
    }
    expect(state.apps[0]!.domains.map(d => d.name)).toEqual(['main.example.com', 'c.example.com'])
    const calls = (await (await fetch(`${r}/__sim/calls`)).json()) as { calls: number }
    expect(calls.calls).toBe(1)
  })

  it('worlds: the demo world loads, and N domains can be seeded for benchmarks', async () => {
    await sim.close()
    sim = await startSimulator({ token: 't0k' })
    const ids = loadWorld(sim, DEMO_WORLD)
    const wp = ids.apps['web-1/wordpress']!
    expect(sim.domains(ids.servers['web-1']!, wp).map(d => d.name)).toContain('shop.example.com')
    const names = seedManyDomains(sim, ids.servers['web-1']!, wp, 1000)
    expect(names).toHaveLength(1000)
    expect(new Set(sim.domains(ids.servers['web-1']!, wp).map(d => d.name)).size).toBe(1004)
    expect(() => loadWorld(sim, {} as never)).toThrow(/servers/)
  })
})

describe('variants for pacing, fidelity and answers that are not success', () => {
  const restart = async (opts: Parameters<typeof startSimulator>[0]) => {
    await sim.close()
    sim = await startSimulator({ token: 't0k', ...opts })
    sid = sim.addServer({ name: 'web-1', ipAddress: '198.51.100.7' }).id
    aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
    base = `${sim.url}/servers/${sid}/webapps/${aid}`
  }
  const ping = () => fetch(`${sim.url}/ping`, { headers: { authorization: 'Bearer t0k' } })
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

  it('GET /servers/{id} answers the server with its ipAddress, and 404 for an unknown id', async () => {
    const server = sim.state.addServer({ name: 'db-1', ipAddress: '192.0.2.44' })
    const got = await call('GET', `${sim.url}/servers/${server.id}`)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ id: server.id, name: 'db-1', ipAddress: '192.0.2.44' })
    expect((await call('GET', `${sim.url}/servers/999999`)).status).toBe(404)
  })

  it('Laravel-style limiter: window opens at the first request, 429 not counted, Retry-After and X-RateLimit-Reset', async () => {
    await restart({ rateLimit: { limit: 2, windowMs: 1500 } })
    await sleep(200) // the window opens at the first request, not when the server started
    const first = await ping()
    const opened = Date.now()
    expect(first.headers.get('x-ratelimit-limit')).toBe('2')
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1')
    expect((await ping()).headers.get('x-ratelimit-remaining')).toBe('0')
    const refused = await ping()
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    const reset = Number(refused.headers.get('x-ratelimit-reset'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(2)
    // An epoch time in seconds, never before the window's end.
    expect(reset * 1000).toBeGreaterThanOrEqual(opened + 1500 - 1000)
    expect(reset * 1000).toBeLessThanOrEqual(opened + 1500 + 1000)
    for (let i = 0; i < 3; i++) expect((await ping()).status).toBe(429)
    await sleep(opened + 1550 - Date.now())
    // Refused requests did not count: the next window has its whole budget.
    expect((await ping()).headers.get('x-ratelimit-remaining')).toBe('1')
    expect((await ping()).status).toBe(200)
    expect((await ping()).status).toBe(429)
  })

  it('a limiter with no hints sends no rate-limit header at all, 429 included', async () => {
    await restart({ rateLimit: { limit: 1, windowMs: 60_000, hints: 'none' } })
    const ok = await ping()
    expect(ok.status).toBe(200)
    const refused = await ping()
    expect(refused.status).toBe(429)
    for (const res of [ok, refused])
      for (const h of ['retry-after', 'x-ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining'])
        expect(res.headers.get(h)).toBeNull()
  })

  it('redirect domains keep their type unless a settings change sends another', async () => {
    const [r] = sim.addDomains(sid, aid, [{ name: 'old.example.com', type: 'redirect' }])
    const listed = await call('GET', `${base}/domains`)
    expect(listed.body.data?.find(d => d.name === 'old.example.com')).toMatchObject({ type: 'redirect' })
    await call('PATCH', `${base}/domains/${r!.id}/meta`, { type: 'redirect', www: true, redirection: 'none' })
    expect(sim.domains(sid, aid)[1]).toMatchObject({ type: 'redirect', www: true })
    await call('PATCH', `${base}/domains/${r!.id}/meta`, { type: 'alias', www: true, redirection: 'none' })
    expect(sim.domains(sid, aid)[1]!.type).toBe('alias')
    expect((await call('PATCH', `${base}/domains/${r!.id}/meta`, { type: 'cname' })).status).toBe(422)
  })

  it('list items with other field names', async () => {
    await restart({ listFields: { id: 'domain_id', name: 'domain_name' } })
    const listed = await call('GET', `${base}/domains`)
    expect(listed.body.data?.[0]).toMatchObject({
      domain_id: expect.any(Number),
      domain_name: 'main.example.com'
    })
    expect(listed.body.data?.[0]).not.toHaveProperty('name')
    const servers = await call('GET', `${sim.url}/servers`)
    expect(servers.body.data?.[0]).toMatchObject({ domain_name: 'web-1' })
  })

  it('"no certificate": per endpoint by default (app: 200 message, domain: 404), or one style everywhere', async () => {
    const advanced = (id: number) => `${sim.url}/servers/${sid}/webapps/${id}`
    for (const style of ['per-endpoint', 'message', '404', '400'] as const) {
      await restart({ sslNotInstalled: style })
      const bare = sim.addApp(sid, { name: 'bare', primary: 'bare.example.com', ssl: { installed: false } })
      const app = await call('GET', `${advanced(bare.id)}/ssl`)
      const domainId = sim.domains(sid, bare.id)[0]!.id
      const domain = await call('GET', `${advanced(bare.id)}/domains/${domainId}/ssl`)
      const expected = {
        'per-endpoint': [200, 404],
        message: [200, 200],
        '404': [404, 404],
        '400': [400, 400]
      }[style]
      expect([app.status, domain.status]).toEqual(expected)
      for (const a of [app, domain]) {
        expect(a.body).toMatchObject({ message: 'SSL not installed!' })
        expect(a.body).not.toHaveProperty('id')
      }
    }
  })

  it('faults answer redirects with a Location, apply a write first when told, and stream a large body', async () => {
    sim.inject({
      method: 'POST',
      fault: { status: 302, body: '', headers: { location: 'https://manage.runcloud.io/login' } }
    })
    const redirected = await fetch(`${base}/domains`, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'r.example.com', type: 'alias' })
    })
    expect(redirected.status).toBe(302)
    expect(redirected.headers.get('location')).toBe('https://manage.runcloud.io/login')
    expect(sim.domains(sid, aid).map(d => d.name)).not.toContain('r.example.com')
    sim.inject({ method: 'POST', fault: { status: 204, apply: true } })
    const noContent = await fetch(`${base}/domains`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'n.example.com', type: 'alias' })
    })
    expect(noContent.status).toBe(204)
    expect(sim.domains(sid, aid).map(d => d.name)).toContain('n.example.com')
    sim.inject({ method: 'GET', fault: { status: 200, bodyBytes: 3_000_000 } })
    const big = await fetch(`${sim.url}/ping`, { headers: { authorization: 'Bearer t0k' } })
    expect((await big.arrayBuffer()).byteLength).toBe(3_000_000)
  })
})
