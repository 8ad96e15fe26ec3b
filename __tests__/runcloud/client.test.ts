/**
 * Contract tests of the RunCloud client against the simulator, over real HTTP on loopback:
 * pagination, name resolution, pacing, and every fault kind, proving no duplicate and no lost
 * write, bounded retries, and no credential in anything the client emits.
 */
import { createClient } from '../../src/runcloud/client.js'
import { RunCloudError } from '../../src/runcloud/errors.js'
import type { ClientOptions, RunCloudApi } from '../../src/runcloud/types.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../test-support/simulator/server.js'

const TOKEN = 'tok-CONTRACT-9b8e7f6a5d'
const KEY = 'key-CONTRACT-1234'
const SECRET = 'secret-CONTRACT-5678'
const settings = { www: true, redirection: 'non-www' as const }

let sim: Simulator
let sid: number
let aid: number
let logs: string[]

async function setup(opts: SimulatorOptions = {}): Promise<void> {
  sim = await startSimulator({ token: TOKEN, apiKey: KEY, apiSecret: SECRET, ...opts })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  logs = []
}
afterEach(async () => sim?.close())

function client(extra: Partial<ClientOptions> = {}): RunCloudApi {
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
/** Pauses of the rate-limit rules (up to 60 s) on a clock that skips them, where a test sends a 429 every time. */
function skipping(): { sleep: (ms: number) => Promise<void>; now: () => number } {
  let skipped = 0
  return {
    sleep: ms => ((skipped += ms), new Promise<void>(r => setImmediate(r))),
    now: () => Date.now() + skipped
  }
}

describe('lists', () => {
  it.each(['total_pages', 'lastPage', 'none'] as const)(
    'reads every page (%s envelope) at ceil(N/40) calls',
    async pagination => {
      await setup({ pagination })
      sim.seedDomains(
        sid,
        aid,
        Array.from({ length: 119 }, (_, i) => `d${i}.example.com`)
      )
      const api = client()
      const all = await api.listDomains(sid, aid)
      expect(all).toHaveLength(120)
      expect(all.map(d => d.name)).toContain('d118.example.com')
      // Without totals, an exactly full last page costs one more (empty) page to be sure.
      expect(api.calls).toBe(pagination === 'none' ? 4 : 3)
    }
  )
  it('gets one domain by id, and undefined for an unknown id', async () => {
    await setup()
    const api = client()
    const [primary] = await api.listDomains(sid, aid)
    expect(await api.getDomain(sid, aid, primary!.id)).toEqual(primary)
    expect(await api.getDomain(sid, aid, 777777)).toBeUndefined()
  })
  it('converts 0/1 booleans', async () => {
    await setup()
    sim.seedDomains(sid, aid, ['a.example.com'], { www: false, redirection: 'www' })
    const [, a] = await client().listDomains(sid, aid)
    expect(a).toMatchObject({ name: 'a.example.com', www: false, redirection: 'www', type: 'alias' })
  })
  it('reads a name RunCloud keeps in Unicode form (or with a trailing dot) as the manifest writes it', async () => {
    await setup()
    sim.seedDomains(sid, aid, ['Bücher.Example', 'shop.example.com.'])
    const names = (await client().listDomains(sid, aid)).map(d => d.name)
    expect(names).toContain('xn--bcher-kva.example')
    expect(names).toContain('shop.example.com')
  })
  it('says which app was not found', async () => {
    await setup()
    await expect(client().listDomains(sid, 999)).rejects.toThrow(`server ${sid} / web app 999 was not found`)
  })
})

describe('name resolution', () => {
  it('resolves exact names through search, ids without a call', async () => {
    await setup()
    sim.addServer({ name: 'web-10' })
    const api = client()
    expect(await api.resolveServer(42)).toBe(42)
    expect(api.calls).toBe(0)
    expect(await api.resolveServer('web-1')).toBe(sid)
    expect(await api.resolveApp(sid, 'main')).toBe(aid)
    await expect(api.resolveServer('nope')).rejects.toThrow(/no server named "nope"/)
  })
})

describe('writes', () => {
  beforeEach(() => setup())

  it('adds as alias with its settings', async () => {
    const out = await client().addDomain(sid, aid, 'a.example.com', { www: false, redirection: 'none' })
    expect(out.status).toBe('done')
    expect(sim.domains(sid, aid).find(d => d.name === 'a.example.com')).toMatchObject({
      type: 'alias',
      www: false,
      redirection: 'none'
    })
    expect(sim.callLog.find(c => c.method === 'POST')?.path).toBe(`/servers/${sid}/webapps/${aid}/domains`)
  })
  it('adding a name that is live is a no-op (422 then read back)', async () => {
    sim.seedDomains(sid, aid, ['a.example.com'])
    expect((await client().addDomain(sid, aid, 'a.example.com', settings)).status).toBe('noop')
  })
  it('a 422 for another reason fails with RunCloud’s message', async () => {
    const other = sim.addApp(sid, { name: 'other', primary: 'taken.example.com' })
    await expect(client().addDomain(sid, aid, 'taken.example.com', settings)).rejects.toThrow(
      /422.*already been taken.*another web app on that server holds it/
    )
    expect(other.domains).toHaveLength(1)
  })
  it.each(['applied-500', 'applied-reset'] as const)(
    'an add that landed but answered %s is done, once',
    async fault => {
      sim.inject({ method: 'POST', fault })
      const out = await client().addDomain(sid, aid, 'a.example.com', settings)
      expect(out).toMatchObject({ status: 'done', domain: { name: 'a.example.com' } })
      expect(names().filter(n => n === 'a.example.com')).toHaveLength(1)
      expect(sim.callLog.filter(c => c.method === 'POST')).toHaveLength(1)
    }
  )
  it.each(['reset', 'html', { status: 503 }, 'stall'] as const)(
    'an add that did not land (%j) is sent again after reading back',
    async fault => {
      sim.inject({ method: 'POST', fault })
      const out = await client().addDomain(sid, aid, 'a.example.com', settings)
      expect(out.status).toBe('done')
      expect(names().filter(n => n === 'a.example.com')).toHaveLength(1)
      expect(sim.callLog.filter(c => c.method === 'POST')).toHaveLength(2)
    }
  )
  it('stops re-sending a write after a bound, and reports it', async () => {
    sim.inject({ method: 'POST', fault: { status: 500 }, times: Infinity })
    await expect(client().addDomain(sid, aid, 'a.example.com', settings)).rejects.toThrow(
      /adding a\.example\.com failed/
    )
    expect(sim.callLog.filter(c => c.method === 'POST')).toHaveLength(3)
    expect(names()).not.toContain('a.example.com')
  })
  it('removing an id already gone is a no-op; a removal that landed but answered 500 is done', async () => {
    sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'])
    const api = client()
    const [, a, b] = await api.listDomains(sid, aid)
    expect((await api.removeDomain(sid, aid, { ...a!, id: 424242 })).status).toBe('noop')
    sim.inject({ method: 'DELETE', fault: 'applied-500' })
    expect((await api.removeDomain(sid, aid, b!)).status).toBe('done')
    expect(names()).toEqual(['main.example.com', 'a.example.com'])
  })
  it('the primary domain cannot be removed', async () => {
    const api = client()
    const [primary] = await api.listDomains(sid, aid)
    await expect(api.removeDomain(sid, aid, primary!)).rejects.toThrow(/422.*primary/)
  })
  it('an update that landed but answered 500 is confirmed by reading back', async () => {
    sim.seedDomains(sid, aid, ['a.example.com'])
    const api = client()
    const [, a] = await api.listDomains(sid, aid)
    sim.inject({ method: 'PATCH', fault: 'applied-500' })
    expect((await api.updateDomain(sid, aid, a!, { www: false, redirection: 'none' })).status).toBe('done')
    expect(sim.domains(sid, aid)[1]).toMatchObject({ www: false, redirection: 'none' })
    expect(sim.callLog.filter(c => c.method === 'PATCH')).toHaveLength(1)
  })
})

describe('faults on reads', () => {
  beforeEach(() => setup())
  it('retries 5xx bursts, resets, HTML pages and stalls, then succeeds', async () => {
    sim.inject({ method: 'GET', fault: { status: 502 } })
    sim.inject({ method: 'GET', fault: 'reset' })
    sim.inject({ method: 'GET', fault: 'html' })
    sim.inject({ method: 'GET', fault: 'stall' })
    const api = client()
    expect(await api.listDomains(sid, aid)).toHaveLength(1)
    expect(api.calls).toBe(5)
  })
  it('retries are bounded and the error says what happened, with an excerpt of a non-JSON body', async () => {
    sim.inject({ method: 'GET', fault: 'html', times: Infinity })
    const api = client({ retries: 2 })
    const err = (await api.listDomains(sid, aid).catch((e: unknown) => e)) as RunCloudError
    expect(err).toBeInstanceOf(RunCloudError)
    expect(err.message).toMatch(/HTTP 502: non-JSON body "502 Bad Gateway/)
    expect(err.message).toMatch(/after 3 attempts/)
    expect(api.calls).toBe(3)
  })
  it('a refused token says how to make one', async () => {
    const api = createClient({ baseUrl: sim.url, token: 'wrong-token-value', concurrency: 1 })
    await expect(api.listDomains(sid, aid)).rejects.toThrow(
      /refused the API token \(HTTP 401\).*API v3 token/
    )
  })
  it('after a 401 no further request is sent: the token will not become valid mid-run', async () => {
    const api = createClient({ baseUrl: sim.url, token: 'wrong-token-value', concurrency: 1 })
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/HTTP 401/)
    await expect(
      api.addDomain(sid, aid, 'x.example.com', { www: true, redirection: 'none' })
    ).rejects.toThrow(/refused the API token \(HTTP 401\)/)
    await expect(api.getSslMode(sid, aid)).rejects.toThrow(/HTTP 401/)
    expect(api.calls).toBe(1)
    expect(sim.callLog).toHaveLength(1)
  })
  it('a 403 is not sticky (it may concern one server or app only)', async () => {
    sim.inject({ method: 'GET', fault: { status: 403 } })
    const api = client()
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/HTTP 403/)
    expect(await api.listDomains(sid, aid)).toHaveLength(1)
  })
  it('legacy v2 uses HTTP Basic', async () => {
    const api = createClient({ baseUrl: sim.urlV2, apiKey: KEY, apiSecret: SECRET, concurrency: 1 })
    expect(api.legacy).toBe(true)
    expect(await api.listDomains(sid, aid)).toHaveLength(1)
  })
})

describe('pacing', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    await setup({ latencyMs: 20 })
    const api = client({ concurrency: 3 })
    await Promise.all(Array.from({ length: 12 }, () => api.ping()))
    expect(sim.maxInFlight).toBeLessThanOrEqual(3)
    expect(sim.maxInFlight).toBeGreaterThan(1)
  })
  it('when X-RateLimit-Remaining reaches 0, probes once and follows the answer: at most one 429 a window', async () => {
    await setup({ rateLimit: { limit: 5, windowMs: 400 } })
    const api = client({ concurrency: 1 })
    for (let i = 0; i < 12; i++) await api.ping()
    const refused = sim.callLog.filter(c => c.status === 429).length
    expect(refused).toBeLessThanOrEqual(3)
    expect(api.calls).toBe(12 + refused)
    expect(logs.some(l => /rate limit: next request in/.test(l))).toBe(true)
  })
  it.each([true, false])('gets through a 429 storm (Retry-After sent: %s)', async retryAfter => {
    await setup({ rateLimit: { limit: 4, windowMs: 1000, retryAfter } })
    const api = client({ concurrency: 4 })
    const results = await Promise.all(Array.from({ length: 10 }, () => api.ping().then(() => 'ok')))
    expect(results).toEqual(Array(10).fill('ok'))
    expect(sim.callLog.filter(c => c.status === 200)).toHaveLength(10)
  })
})

describe('SSL', () => {
  it.each(['404', 'message'] as const)(
    'no certificate installed (%s variant) reads as none',
    async sslNotInstalled => {
      await setup({ sslNotInstalled })
      const bare = sim.addApp(sid, { name: 'bare', primary: 'bare.example.com', certificate: false })
      expect(await client().getBasicCertificate(sid, bare.id)).toBeUndefined()
    }
  )
  it('basic: reads the certificate and redeploys it with PUT', async () => {
    await setup()
    const api = client()
    expect(await api.getSslMode(sid, aid)).toEqual({ advanced: false, autoSsl: false })
    const cert = await api.getBasicCertificate(sid, aid)
    await api.redeployBasicCertificate(sid, aid, cert!.id)
    expect(sim.state.app(sid, aid)?.sslEvents).toEqual(['redeploy'])
    expect(sim.callLog.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/servers/${sid}/webapps/${aid}/ssl/${cert!.id}`
    })
  })
  it('advanced: per-domain install and redeploy', async () => {
    await setup()
    const adv = sim.addApp(sid, { name: 'adv', primary: 'adv.example.com', advancedSsl: true, autoSsl: true })
    const api = client()
    expect(await api.getSslMode(sid, adv.id)).toEqual({ advanced: true, autoSsl: true })
    const [d] = await api.listDomains(sid, adv.id)
    expect(await api.getDomainCertificate(sid, adv.id, d!.id)).toBeUndefined()
    await api.installDomainCertificate(sid, adv.id, d!.id)
    const cert = await api.getDomainCertificate(sid, adv.id, d!.id)
    await api.redeployDomainCertificate(sid, adv.id, d!.id, cert!.id)
    expect(adv.sslEvents).toEqual(['install adv.example.com', 'redeploy adv.example.com'])
  })
})

describe('credentials never leak', () => {
  it('in any message, stack, serialisation or log line, across every fault', async () => {
    await setup()
    const emitted: string[] = []
    for (const legacy of [false, true]) {
      // A hostile or broken proxy echoing the request's own credentials back in its error page.
      const echoed = legacy
        ? `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')} (${KEY} / ${SECRET})`
        : `Bearer ${TOKEN}`
      const faults = [
        'reset',
        'html',
        'stall',
        'applied-500',
        { status: 500, body: `<pre>Authorization: ${echoed}</pre>` },
        {
          status: 422,
          body: JSON.stringify({ message: `bad credentials ${echoed}` }),
          contentType: 'application/json'
        },
        {
          status: 422,
          body: JSON.stringify({
            message: 'The given data was invalid.',
            errors: { name: [`not for ${echoed}`] }
          }),
          contentType: 'application/json'
        },
        'applied-reset',
        { status: 401 },
        { status: 403, body: `denied for ${echoed}` },
        { status: 404, body: `<h1>no route for ${echoed}</h1>` },
        { status: 429, retryAfter: 0 }
      ] as const
      for (const fault of faults) {
        sim.clearFaults()
        sim.inject({ fault, times: Infinity })
        const api = legacy
          ? createClient({
              baseUrl: sim.urlV2,
              apiKey: KEY,
              apiSecret: SECRET,
              concurrency: 2,
              backoffMs: 1,
              retries: 1,
              timeoutMs: 200,
              log: m => emitted.push(m),
              ...skipping()
            })
          : client({ retries: 1, timeoutMs: 200, log: m => emitted.push(m), ...skipping() })
        for (const op of [
          () => api.listDomains(sid, aid),
          () => api.addDomain(sid, aid, 'x.example.com', settings),
          () => api.getSslMode(sid, aid),
          () => api.resolveServer('web-1'),
          () =>
            api.removeDomain(sid, aid, {
              id: 5,
              name: 'z.example.com',
              type: 'alias',
              www: true,
              redirection: 'none'
            }),
          () =>
            api.updateDomain(
              sid,
              aid,
              { id: 5, name: 'z.example.com', type: 'alias', www: true, redirection: 'none' },
              settings
            ),
          () => api.redeployBasicCertificate(sid, aid, 7),
          () => api.installDomainCertificate(sid, aid, 5)
        ]) {
          try {
            await op()
          } catch (e) {
            emitted.push(
              String(e),
              (e as Error).stack ?? '',
              JSON.stringify(e),
              JSON.stringify(Object.entries(e as object))
            )
          }
        }
      }
      sim.clearFaults()
      const wrong = createClient({
        baseUrl: legacy ? sim.urlV2 : sim.url,
        token: legacy ? undefined : `${TOKEN}x`,
        apiKey: KEY,
        apiSecret: `${SECRET}x`,
        concurrency: 1
      })
      await wrong.ping().catch(e => emitted.push(String(e), (e as Error).stack ?? ''))
    }
    const all = emitted.join('\n')
    // Enough was emitted for the check to mean something: errors of every op, and retry notes.
    expect(all.length).toBeGreaterThan(20_000)
    expect(all).toMatch(/retrying in/)
    expect(all).toMatch(/\*\*\*/) // the echoed credentials were there, and were scrubbed
    for (const secret of [TOKEN, KEY, SECRET, Buffer.from(`${KEY}:${SECRET}`).toString('base64')]) {
      const at = all.indexOf(secret)
      expect(at >= 0 ? `leaked ${secret} in: ${all.slice(Math.max(0, at - 200), at + 50)}` : 'clean').toBe(
        'clean'
      )
    }
  })
  it('not even in part: a body is scrubbed before it is cut or its tags are folded into an excerpt', async () => {
    // A token with markup in it, and an error page that puts the token across the excerpt's cut.
    const token = 'tok-<b>HTML</b>-7c6d5e4f'
    await setup({ token })
    const emitted: string[] = []
    for (const pad of [0, 80, 90]) {
      for (const status of [200, 404, 502]) {
        sim.clearFaults()
        sim.inject({
          method: 'GET',
          fault: {
            status,
            body: `<html><body><p>${'x'.repeat(pad)} token ${token} refused</p></body></html>`
          },
          times: Infinity
        })
        const api = client({ token, retries: 1, log: m => emitted.push(m) })
        await api.listDomains(sid, aid).catch(e => emitted.push(String(e)))
      }
    }
    const all = emitted.join('\n')
    expect(all).toMatch(/non-JSON body/)
    // No piece of the token appears anywhere: not its start before a cut, not its parts between tags.
    expect(all).not.toMatch(/tok-|HTML|7c6d/)
  })
})

describe('log lines', () => {
  it('a message quoted from RunCloud stays on one line (a line break could start a workflow command)', async () => {
    await setup()
    sim.inject({
      method: 'GET',
      fault: {
        status: 503,
        body: JSON.stringify({ message: 'down\n::error file=x.yml,line=1::forged\r\n::add-mask::all' }),
        contentType: 'application/json'
      },
      times: 1
    })
    await client().listDomains(sid, aid)
    expect(logs.some(l => l.includes('forged'))).toBe(true)
    for (const l of logs) expect(l).not.toMatch(/[\r\n]/)
  })
})

describe('lists, further', () => {
  it.each(['total_pages', 'lastPage', 'none'] as const)(
    'finds a domain alone on the last of several pages (%s), at ceil(N/40) calls',
    async pagination => {
      await setup({ pagination })
      // 1 primary + 80 = 81 domains: pages of 40, 40 and 1.
      sim.seedDomains(
        sid,
        aid,
        Array.from({ length: 80 }, (_, i) => `p${i}.example.com`)
      )
      const api = client()
      const all = await api.listDomains(sid, aid)
      expect(all.at(-1)?.name).toBe('p79.example.com')
      expect(new Set(all.map(d => d.id)).size).toBe(81)
      expect(api.calls).toBe(3)
      expect(sim.callLog.map(c => c.status)).toEqual([200, 200, 200])
    }
  )
  it('without any totals, still reads every page from a server that ignores perPage (pages of 20)', async () => {
    await setup({ pagination: 'none', maxPerPage: 20 })
    // 1 primary + 44 = 45 domains: pages of 20, 20 and 5.
    sim.seedDomains(
      sid,
      aid,
      Array.from({ length: 44 }, (_, i) => `q${i}.example.com`)
    )
    const api = client()
    const all = await api.listDomains(sid, aid)
    expect(all).toHaveLength(45)
    expect(all.at(-1)?.name).toBe('q43.example.com')
    expect(api.calls).toBe(3)
  })
  it('without totals, a lone page of exactly 20 costs one more call, a shorter one none', async () => {
    await setup({ pagination: 'none' })
    sim.seedDomains(
      sid,
      aid,
      Array.from({ length: 19 }, (_, i) => `s${i}.example.com`)
    )
    const api = client()
    expect(await api.listDomains(sid, aid)).toHaveLength(20)
    expect(api.calls).toBe(2)
    sim.seedDomains(sid, aid, ['t.example.com'])
    const again = client()
    expect(await again.listDomains(sid, aid)).toHaveLength(21)
    expect(again.calls).toBe(1)
  })
  it('an app with no aliases costs one call', async () => {
    await setup()
    const api = client()
    expect(await api.listDomains(sid, aid)).toHaveLength(1)
    expect(api.calls).toBe(1)
  })
  it('stops at once when the server repeats a page (ignores `page`), instead of paging 500 times', async () => {
    await setup({ pagination: 'none' })
    const page = JSON.stringify({
      data: Array.from({ length: 40 }, (_, i) => ({
        id: i + 1,
        name: `r${i}.example.com`,
        type: 'alias',
        www: 0
      })),
      meta: { pagination: {} }
    })
    sim.inject({
      method: 'GET',
      path: /\/domains$/,
      times: Infinity,
      fault: { status: 200, body: page, contentType: 'application/json' }
    })
    const api = client()
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/same items for page 1 and 2/)
    expect(api.calls).toBe(2)
  })
  it('a list answer without a data list is an error that suggests checking api-url', async () => {
    await setup()
    sim.inject({
      method: 'GET',
      fault: { status: 200, body: '{"hello":"world"}', contentType: 'application/json' }
    })
    await expect(client().listDomains(sid, aid)).rejects.toThrow(/without a "data" list.*api-url/)
  })
})

describe('name resolution, further', () => {
  it('pages through search results to the exact name, and says when a name is ambiguous', async () => {
    await setup()
    // 50 servers whose names contain "shop", then "shop" itself: its match is on page 2.
    for (let i = 0; i < 50; i++) sim.addServer({ name: `shop-${i}` })
    const shop = sim.addServer({ name: 'shop' }).id
    const api = client()
    expect(await api.resolveServer('shop')).toBe(shop)
    expect(api.calls).toBe(2)
    expect(sim.callLog.every(c => c.path === '/servers')).toBe(true)
    sim.addServer({ name: 'twin' })
    sim.addServer({ name: 'twin' })
    await expect(api.resolveServer('twin')).rejects.toThrow(/2 servers are named "twin".*write the id/)
  })
  it('two web apps of one name read as such', async () => {
    await setup()
    sim.addApp(sid, { name: 'twin', primary: 'twin1.example.com' })
    sim.addApp(sid, { name: 'twin', primary: 'twin2.example.com' })
    await expect(client().resolveApp(sid, 'twin')).rejects.toThrow(
      new RegExp(`2 web apps on server ${sid} are named "twin"`)
    )
  })
  it('a 422 whose message is its field error says it once', async () => {
    await setup()
    const taken = 'The name has already been taken.'
    sim.inject({
      method: 'POST',
      fault: {
        status: 422,
        body: JSON.stringify({ message: taken, errors: { name: [taken] } }),
        contentType: 'application/json'
      }
    })
    const err = await client()
      .addDomain(sid, aid, 'x.example.com', settings)
      .catch((e: Error) => e)
    expect((err as Error).message.split(taken)).toHaveLength(2)
    expect((err as Error).message).not.toMatch(/\.\./)
  })
  it('an app name on an unknown server says which server; an unknown app name says so', async () => {
    await setup()
    const api = client()
    await expect(api.resolveApp(424242, 'main')).rejects.toThrow(/server 424242 was not found/)
    await expect(api.resolveApp(sid, 'mian')).rejects.toThrow(/no web app on server \d+ named "mian"/)
    expect(await api.resolveApp(sid, 77)).toBe(77)
  })
  it('escapes a name in the query string', async () => {
    await setup()
    const api = client()
    await expect(api.resolveServer('a&page=9 b')).rejects.toThrow(/no server named/)
    expect(sim.callLog).toHaveLength(1)
    // Escaped as URI components (a space is %20, not +), and nothing of the name became a parameter.
    expect(sim.callLog[0]!.query).toBe('search=a%26page%3D9%20b&page=1&perPage=40')
    const q = new URLSearchParams(sim.callLog[0]!.query)
    expect(q.get('search')).toBe('a&page=9 b')
    expect(q.getAll('page')).toEqual(['1'])
    expect(q.get('perPage')).toBe('40')
  })
})

describe('writes, every fault', () => {
  beforeEach(() => setup())
  const posts = () => sim.callLog.filter(c => c.method === 'POST')
  const deletes = () => sim.callLog.filter(c => c.method === 'DELETE')

  it.each(['reset', 'stall', 'html', { status: 502 }] as const)(
    'a removal that did not land (%j) is read back, sent again, and done once',
    async fault => {
      sim.seedDomains(sid, aid, ['a.example.com'])
      const api = client()
      const [, a] = await api.listDomains(sid, aid)
      sim.inject({ method: 'DELETE', fault })
      expect(await api.removeDomain(sid, aid, a!)).toMatchObject({ status: 'done' })
      expect(names()).toEqual(['main.example.com'])
      expect(deletes()).toHaveLength(2)
      // The read-back in between: one GET of that domain.
      expect(
        sim.callLog.filter(c => c.method === 'GET' && c.path.endsWith(`/domains/${a!.id}`))
      ).toHaveLength(1)
    }
  )
  it('a removal that landed but whose connection was reset is done, not sent again', async () => {
    sim.seedDomains(sid, aid, ['a.example.com'])
    const api = client()
    const [, a] = await api.listDomains(sid, aid)
    sim.inject({ method: 'DELETE', fault: 'applied-reset' })
    expect(await api.removeDomain(sid, aid, a!)).toMatchObject({ status: 'done', detail: /reading back/ })
    expect(deletes()).toHaveLength(1)
  })
  it('an update that did not land is sent again; one that never lands stops after a bound', async () => {
    sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'])
    const api = client()
    const [, a, b] = await api.listDomains(sid, aid)
    sim.inject({ method: 'PATCH', fault: 'reset' })
    expect((await api.updateDomain(sid, aid, a!, { www: false, redirection: 'www' })).status).toBe('done')
    expect(sim.domains(sid, aid)[1]).toMatchObject({ www: false, redirection: 'www' })
    sim.inject({ method: 'PATCH', fault: { status: 500 }, times: Infinity })
    await expect(api.updateDomain(sid, aid, b!, { www: false, redirection: 'none' })).rejects.toThrow(
      /changing b\.example\.com failed/
    )
    expect(sim.callLog.filter(c => c.method === 'PATCH')).toHaveLength(1 + 1 + 3)
  })
  it('a 429 on a write is waited out and sent again (RunCloud did not process it), once in state', async () => {
    sim.inject({ method: 'POST', fault: { status: 429, retryAfter: 0 } })
    const api = client()
    expect((await api.addDomain(sid, aid, 'a.example.com', settings)).status).toBe('done')
    expect(posts().map(c => c.status)).toEqual([429, 200])
    expect(names().filter(n => n === 'a.example.com')).toHaveLength(1)
  })
  it('adding the same name concurrently twice leaves one domain: one done, one no-op', async () => {
    const api = client()
    const outs = await Promise.all([
      api.addDomain(sid, aid, 'a.example.com', settings),
      api.addDomain(sid, aid, 'a.example.com', settings)
    ])
    expect(outs.map(o => o.status).sort()).toEqual(['done', 'noop'])
    expect(names().filter(n => n === 'a.example.com')).toHaveLength(1)
  })
  it('an invalid redirection is refused with RunCloud’s field message, nothing added', async () => {
    await expect(
      client().addDomain(sid, aid, 'a.example.com', { www: true, redirection: 'sideways' as 'www' })
    ).rejects.toThrow(/422.*redirection is invalid/)
    expect(names()).toEqual(['main.example.com'])
  })
  it('a write to a server that refuses connections fails after bounded attempts, nothing written', async () => {
    const closed = await startSimulator({ token: TOKEN })
    const url = closed.url
    await closed.close()
    const api = createClient({ baseUrl: url, token: TOKEN, concurrency: 1, backoffMs: 1, retries: 2 })
    await expect(api.addDomain(sid, aid, 'a.example.com', settings)).rejects.toThrow(
      /did not answer POST .*connection failed \(ECONNREFUSED\), after 3 attempts/
    )
    expect(api.calls).toBe(3)
  })
  it('ids must be integers: nothing is sent for a bad id', async () => {
    const api = client()
    await expect(api.getDomain(sid, aid, 1.5)).rejects.toThrow(/ids must be integers/)
    await expect(api.listDomains(Number.NaN, aid)).rejects.toThrow(/ids must be integers/)
    expect(api.calls).toBe(0)
  })
})

describe('faults on reads, further', () => {
  it('a read that never answers fails with the timeout, after bounded attempts', async () => {
    await setup()
    sim.inject({ method: 'GET', fault: 'stall', times: Infinity })
    const api = client({ retries: 1, timeoutMs: 150 })
    await expect(api.listDomains(sid, aid)).rejects.toThrow(/no answer within 150 ms, after 2 attempts/)
    expect(api.calls).toBe(2)
  })
  it('403 and the v2 variant of a refusal say what to do', async () => {
    await setup()
    sim.inject({ fault: { status: 403 } })
    await expect(client().ping()).rejects.toThrow(
      /refused the API token \(HTTP 403\).*Workspace → Settings → API Management/
    )
    const v2 = createClient({ baseUrl: sim.urlV2, apiKey: KEY, apiSecret: 'nope-secret', concurrency: 1 })
    await expect(v2.ping()).rejects.toThrow(
      /refused the API key and secret \(HTTP 401\).*discontinued.*api-token/
    )
  })
  it('a 404 on the SSL mode reads as basic SSL; other 4xx carry the status and a folded excerpt of an HTML body', async () => {
    await setup()
    sim.inject({
      method: 'GET',
      fault: {
        status: 404,
        body: `<html>\n  <body>\n\n   <h1>Not   Found</h1>${'x'.repeat(300)}</body></html>`
      }
    })
    const err = (await client()
      .getSslMode(sid, aid)
      .then(
        () => undefined,
        (e: unknown) => e
      )) as RunCloudError | undefined
    // A 404 on the SSL mode reads as "not advanced" (no advanced route): no error at all.
    expect(err).toBeUndefined()
    sim.inject({
      method: 'GET',
      fault: { status: 418, body: `<p>I'm\n\n a    teapot</p>${'y'.repeat(300)}` }
    })
    const e2 = (await client()
      .ping()
      .catch((e: unknown) => e)) as RunCloudError
    expect(e2.status).toBe(418)
    expect(e2.message).toMatch(/HTTP 418: non-JSON body "I'm a teapot y+…"/)
    expect(e2.message.length).toBeLessThan(250)
  })
})

describe('pacing, further', () => {
  it('alone on the account, a burst at concurrency 4 provokes at most one 429 a window: the budget holds it back', async () => {
    await setup({ rateLimit: { limit: 6, windowMs: 500 } })
    const api = client({ concurrency: 4 })
    const started = Date.now()
    await Promise.all(Array.from({ length: 14 }, () => api.ping()))
    const refused = sim.callLog.filter(c => c.status === 429).length
    expect(refused).toBeLessThanOrEqual(3)
    expect(api.calls).toBe(14 + refused)
    // 14 requests at 6 a window need at least two window changes.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 500 - 100)
  })
  it('a fast account (high limit) is not slowed at all', async () => {
    await setup({ rateLimit: { limit: 10_000, windowMs: 60_000 } })
    const api = client({ concurrency: 4 })
    const started = Date.now()
    await Promise.all(Array.from({ length: 40 }, () => api.ping()))
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(api.calls).toBe(40)
  })
  it.each([true, false])(
    'a 429 storm caused by another consumer completes (Retry-After sent: %s), waiting about one window',
    async retryAfter => {
      await setup({ rateLimit: { limit: 5, windowMs: 800, retryAfter } })
      // Someone else spends the whole window first.
      for (let i = 0; i < 5; i++)
        await fetch(`${sim.url}/ping`, { headers: { authorization: `Bearer ${TOKEN}` } })
      const api = client({ concurrency: 4 })
      const started = Date.now()
      await Promise.all(Array.from({ length: 8 }, () => api.ping()))
      const took = Date.now() - started
      const ours = sim.callLog.slice(5)
      expect(ours.filter(c => c.status === 200)).toHaveLength(8)
      // Each 429 made every request wait: at most one 429 per request in flight per window.
      expect(ours.filter(c => c.status === 429).length).toBeLessThanOrEqual(4 * 2)
      expect(api.calls).toBe(ours.length)
      expect(took).toBeGreaterThanOrEqual(500)
      expect(took).toBeLessThan(4 * 800)
    }
  )
  it('gives up after a bounded number of 429s on one request', async () => {
    await setup()
    sim.inject({ fault: { status: 429, retryAfter: 0 }, times: Infinity })
    // Retry-After: 0 is no hint: growing pauses, shortened here.
    const api = client({ concurrency: 1, ...skipping() })
    await expect(api.ping()).rejects.toThrow(/kept answering HTTP 429/)
    expect(api.calls).toBe(31)
  })
})

describe('SSL, further', () => {
  it('a redeploy that got no clear answer is reported, never re-sent blind', async () => {
    await setup()
    const api = client()
    const cert = await api.getBasicCertificate(sid, aid)
    sim.inject({ method: 'PUT', fault: 'applied-500' })
    await expect(api.redeployBasicCertificate(sid, aid, cert!.id)).rejects.toThrow(
      /may or may not have happened, and it was not sent again/
    )
    expect(sim.callLog.filter(c => c.method === 'PUT')).toHaveLength(1)
    expect(sim.state.app(sid, aid)?.sslEvents).toEqual(['redeploy'])
  })
  it('a redeploy refused (DNS not pointing here) fails with RunCloud’s message', async () => {
    await setup()
    const app = sim.addApp(sid, {
      name: 'dns',
      primary: 'dns.example.com',
      ssl: { failure: 'DNS not pointing to server' }
    })
    const api = client()
    const cert = await api.getBasicCertificate(sid, app.id)
    await expect(api.redeployBasicCertificate(sid, app.id, cert!.id)).rejects.toThrow(/422: DNS not pointing/)
  })
  it('an install that landed but answered 500 is read back and done, once; one that did not land is sent again', async () => {
    await setup()
    const adv = sim.addApp(sid, {
      name: 'adv',
      primary: 'adv.example.com',
      ssl: { advanced: true, autoSsl: false }
    })
    sim.addDomains(sid, adv.id, ['b.example.com'])
    const api = client()
    const [a, b] = await api.listDomains(sid, adv.id)
    sim.inject({ method: 'POST', path: /\/ssl$/, fault: 'applied-500' })
    await api.installDomainCertificate(sid, adv.id, a!.id)
    sim.inject({ method: 'POST', path: /\/ssl$/, fault: 'reset' })
    await api.installDomainCertificate(sid, adv.id, b!.id)
    expect(adv.sslEvents).toEqual(['install adv.example.com', 'install b.example.com'])
    expect(sim.callLog.filter(c => c.method === 'POST').map(c => c.status)).toEqual([500, -1, 200])
  })
  it('basic SSL read on an advanced app, and unknown shapes of the mode, read as none / false', async () => {
    await setup()
    const adv = sim.addApp(sid, { name: 'adv', primary: 'adv.example.com', ssl: { advanced: true } })
    const api = client()
    expect(await api.getBasicCertificate(sid, adv.id)).toBeUndefined()
    sim.inject({
      method: 'GET',
      path: /\/ssl\/advanced$/,
      fault: {
        status: 200,
        body: '{"data":{"advanced_ssl":1,"auto_ssl":"1"}}',
        contentType: 'application/json'
      }
    })
    expect(await api.getSslMode(sid, aid)).toEqual({ advanced: true, autoSsl: true })
  })
})
