/** The simulator's own behaviour, checked with plain HTTP (not our client), against runcloud-api.md. */
import { startSimulator, type Simulator } from '../../src/simulator/server.js'

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
