/**
 * The DNS check end to end: the bundled action on Node 24 asks a real DNS server on loopback
 * (RUNCLOUD_DNS_SERVERS) where the names it adds point, and compares with the simulated
 * server's ipAddress. Nothing of the code under test is stubbed.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { node24, ROOT, runAction, type ActionRun } from '../../test-support/action-runner.js'
import { startDnsServer, type TestDnsServer } from '../../test-support/dns-server.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'

const TOKEN = 'rc-dns-secret-token-93be1f'
const SERVER_IP = '203.0.113.10'
const OTHER_IP = '198.51.100.7'

let sim: Simulator
let dns: TestDnsServer
let gh: FakeGitHub
let repo: TempRepo | undefined
let sid: number
let aid: number

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  gh = await startFakeGitHub()
  sid = sim.addServer({ name: 'web-1', ipAddress: SERVER_IP }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  sim.addApp(sid, { name: 'shop', primary: 'shop.example.net' })
  sim.seedDomains(sid, aid, ['kept.example.com'])
  dns = await startDnsServer({
    'here.example.com': { A: [SERVER_IP] },
    'www.here.example.com': { A: [SERVER_IP], AAAA: ['2001:db8::10'] },
    'away.example.com': { A: [OTHER_IP] },
    'proxied.example.com': { A: ['104.16.0.1', '104.16.0.2'], AAAA: ['2606:4700::1'] },
    'v6.example.com': { AAAA: ['2001:db8::99'] },
    'shop2.example.net': { A: [SERVER_IP] }
  })
  dns.silentNames.add('slow.example.com')
})
afterEach(async () => {
  await sim.close()
  await dns.close()
  await gh.close()
  repo?.cleanup()
  repo = undefined
})

/** A change that adds one name of each kind, in two apps on one server. */
/** The change: adds to `main` (server by id) and to `shop` (server as `shopServer` writes it). */
function world(shopServer: string | number = sid): TempRepo {
  repo = makeRepo([
    { 'domains.yml': manifest({ server: sid, app: aid, domains: ['kept.example.com'] }) },
    {
      'domains.yml': manifest(
        {
          server: sid,
          app: aid,
          domains: [
            'kept.example.com',
            'here.example.com',
            { name: 'away.example.com', www: false },
            { name: 'none.example.com', www: false },
            { name: 'slow.example.com', www: false },
            { name: 'proxied.example.com', www: false },
            { name: 'v6.example.com', www: false }
          ]
        },
        { server: shopServer, app: 'shop', domains: [{ name: 'shop2.example.net', www: false }] }
      )
    }
  ])
  return repo
}

async function run(
  r: TempRepo,
  inputs: Record<string, string>,
  opts: { event?: string; env?: Record<string, string> } = {}
): Promise<ActionRun> {
  const event = opts.event ?? 'push'
  const res = await runAction({
    workspace: r.dir,
    eventName: event,
    payload:
      event === 'pull_request'
        ? { number: 3, pull_request: { number: 3, base: { sha: r.shas[0] }, head: { sha: r.shas[1] } } }
        : { before: r.shas[0] },
    githubApiUrl: gh.url,
    inputs: { 'api-url': sim.url, 'api-token': TOKEN, ...inputs },
    env: { RUNCLOUD_DNS_SERVERS: dns.address, ...(opts.env ?? {}) }
  })
  expect(res.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN)
  expect(res.summary).not.toContain(TOKEN)
  return res
}

type PlanJson = {
  apps: {
    serverIp?: string
    changes: {
      domain: string
      dns?: { name: string; verdict: string; addresses: string[]; error?: string }[]
    }[]
  }[]
}
const dnsOf = (res: ActionRun): Record<string, { verdict: string; addresses: string[]; error?: string }> => {
  const plan = JSON.parse(res.outputs.plan ?? '{}') as PlanJson
  const out: Record<string, { verdict: string; addresses: string[]; error?: string }> = {}
  for (const a of plan.apps) for (const c of a.changes) for (const d of c.dns ?? []) out[d.name] = d
  return out
}
const serverReads = () => sim.callLog.filter(c => c.method === 'GET' && /^\/servers\/\d+$/.test(c.path))
const rowOf = (summary: string, name: string) => summary.split('\n').find(l => l.startsWith(`| \`${name}\``))

describe('DNS check', () => {
  it('plan on a pull request: each verdict in the plan, the summary, the comment and a warning; one server read', async () => {
    const r = world()
    const res = await run(r, { mode: 'plan' }, { event: 'pull_request' })
    expect(res.exitCode).toBe(0)

    const v = dnsOf(res)
    expect(v['here.example.com']).toMatchObject({ verdict: 'server', addresses: [SERVER_IP] })
    // www is on by default: its name is checked too; an AAAA beside the right A does not count against it.
    expect(v['www.here.example.com']).toMatchObject({ verdict: 'server' })
    expect(v['away.example.com']).toMatchObject({ verdict: 'elsewhere', addresses: [OTHER_IP] })
    expect(v['none.example.com']).toMatchObject({ verdict: 'none', addresses: [] })
    expect(v['slow.example.com']?.verdict).toBe('failed')
    expect(v['slow.example.com']?.error).toMatch(/no answer within/)
    expect(v['proxied.example.com']).toMatchObject({
      verdict: 'elsewhere',
      addresses: ['104.16.0.1', '104.16.0.2', '2606:4700::1']
    })
    expect(v['v6.example.com']).toMatchObject({ verdict: 'elsewhere', addresses: ['2001:db8::99'] })
    expect(v['shop2.example.net']).toMatchObject({ verdict: 'server' })
    // www off: no www. name looked up.
    expect(v['www.away.example.com']).toBeUndefined()
    expect(dns.queries.some(q => q.name === 'www.away.example.com')).toBe(false)
    expect(
      dns.queries
        .filter(q => q.name === 'www.here.example.com')
        .map(q => q.type)
        .sort()
    ).toEqual(['A', 'AAAA'])

    // One GET /servers/{id} for the two apps on that server.
    expect(serverReads()).toHaveLength(1)
    expect(sim.callLog.every(c => c.method === 'GET')).toBe(true)

    // The summary: a DNS column with each verdict.
    expect(res.summary).toMatch(/\| domain \| change \| reason \| result \| DNS \|/)
    expect(rowOf(res.summary, 'here.example.com')).toMatch(/✅ points here · www: ✅ points here \|$/)
    expect(rowOf(res.summary, 'away.example.com')).toMatch(/⚠️ points elsewhere \(198\.51\.100\.7\) \|$/)
    expect(rowOf(res.summary, 'none.example.com')).toMatch(/⚠️ no record \|$/)
    expect(rowOf(res.summary, 'slow.example.com')).toMatch(/❔ lookup failed \(no answer within 3 s\) \|$/)
    // The PR comment carries the same column.
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]?.body).toMatch(/⚠️ points elsewhere \(198\.51\.100\.7\)/)

    // One warning for the app, naming what does not point here, and why that may be fine.
    const warnings = res.annotations.filter(a => a.level === 'warning' && a.message.startsWith('DNS:'))
    expect(warnings).toHaveLength(1)
    const w = warnings[0]?.message ?? ''
    expect(w).toMatch(/away\.example\.com \(points at 198\.51\.100\.7\)/)
    expect(w).toMatch(/none\.example\.com \(no record\)/)
    expect(w).toMatch(/certificate cannot be issued/)
    expect(w).toMatch(/Cloudflare/)
    expect(w).not.toMatch(/here\.example\.com|slow\.example\.com/)
    expect(res.summary).toMatch(/Cloudflare/)
  })

  it('apply: the warning comes before the certificate step, and no verdict blocks a write', async () => {
    const r = world()
    const res = await run(r, { mode: 'apply' })
    expect(res.exitCode).toBe(0)
    const names = sim.domains(sid, aid).map(d => d.name)
    for (const n of ['here.example.com', 'away.example.com', 'none.example.com', 'slow.example.com'])
      expect(names).toContain(n)
    const warning = res.stdout.indexOf('::warning::DNS:')
    const ssl = res.stdout.search(/ssl … done/)
    expect(warning).toBeGreaterThan(-1)
    expect(ssl).toBeGreaterThan(warning)
    expect(serverReads()).toHaveLength(1)
    expect(dnsOf(res)['away.example.com']?.verdict).toBe('elsewhere')
  })

  it('a server found by name: its address comes from the list that found it, with no second read', async () => {
    const r = world('web-1')
    const byName = await run(r, { mode: 'plan' })
    expect(byName.exitCode).toBe(0)
    // `main` names the same server by id: the address read by name serves both.
    expect(serverReads()).toHaveLength(0)
    expect(dnsOf(byName)['here.example.com']).toMatchObject({ verdict: 'server', addresses: [SERVER_IP] })
    expect(dnsOf(byName)['shop2.example.net']).toMatchObject({ verdict: 'server' })
  })

  it('dns-check: false asks no DNS question and makes no extra RunCloud call', async () => {
    const r = world()
    const on = await run(r, { mode: 'plan' })
    const callsOn = sim.calls
    expect(dns.queries.length).toBeGreaterThan(0)
    sim.resetCalls()
    dns.queries.length = 0

    const off = await run(r, { mode: 'plan', 'dns-check': 'false' })
    expect(off.exitCode).toBe(0)
    expect(dns.queries).toHaveLength(0)
    expect(serverReads()).toHaveLength(0)
    expect(sim.calls).toBe(callsOn - 1)
    expect(off.summary).not.toMatch(/\| DNS \|/)
    expect(Object.keys(dnsOf(off))).toHaveLength(0)
    expect(off.outputs.added).toBe(on.outputs.added)
  })

  it('a resolver that never answers: every name ❔, the run succeeds', async () => {
    const r = world()
    dns.mode = 'silent'
    const res = await run(r, { mode: 'plan' })
    expect(res.exitCode).toBe(0)
    const v = Object.values(dnsOf(res))
    expect(v.length).toBe(8)
    expect(v.every(a => a.verdict === 'failed' && /no answer within/.test(a.error ?? ''))).toBe(true)
    expect(res.annotations.some(a => a.message.startsWith('DNS:'))).toBe(false)
  })

  it("the server's address unreadable: names shown without a verdict, the run succeeds", async () => {
    const r = world()
    sim.inject({ method: 'GET', path: new RegExp(`^/servers/${sid}$`), fault: { status: 404 } })
    const res = await run(r, { mode: 'plan' })
    expect(res.exitCode).toBe(0)
    expect(dnsOf(res)['here.example.com']).toMatchObject({ verdict: 'failed', addresses: [SERVER_IP] })
    expect(dnsOf(res)['none.example.com']).toMatchObject({ verdict: 'none' })
    expect(res.stdout).toMatch(/DNS check: the address of server \d+ could not be read/)
  })

  it('offline plans and drift runs make no DNS query', async () => {
    const r = world()
    const offline = await run(r, { mode: 'plan', 'api-token': '' }, { event: 'pull_request' })
    expect(offline.exitCode).toBe(0)
    const drift = await run(r, { mode: 'drift', 'fail-on-drift': 'false' })
    expect(drift.exitCode).toBe(0)
    expect(dns.queries).toHaveLength(0)
    expect(serverReads()).toHaveLength(0)
  })

  it("the CLI's plan shows each name's verdict; --no-dns-check asks nothing", async () => {
    const r = world()
    // Asynchronous: the simulator and the DNS server answer from this process.
    const cli = (...extra: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>(resolve => {
        const args = ['plan', '--base', r.shas[0] as string, '--api-url', sim.url, ...extra]
        const child = spawn(node24(), [join(ROOT, 'bin', 'runcloud-domains.js'), ...args], {
          cwd: r.dir,
          env: { PATH: process.env.PATH ?? '', RUNCLOUD_API_TOKEN: TOKEN, RUNCLOUD_DNS_SERVERS: dns.address }
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', c => (stdout += c))
        child.stderr.on('data', c => (stderr += c))
        child.on('close', code => resolve({ status: code ?? 1, stdout, stderr }))
      })
    const on = await cli()
    expect(on.status).toBe(0)
    expect(on.stdout).toMatch(/\+ add here\.example\.com .*· DNS ✅ points here · www: ✅ points here/)
    expect(on.stdout).toMatch(/\+ add away\.example\.com .*· DNS ⚠️ points elsewhere \(198\.51\.100\.7\)/)
    expect(on.stderr).toMatch(/warning: DNS: .*none\.example\.com \(no record\)/)
    dns.queries.length = 0
    const off = await cli('--no-dns-check')
    expect(off.status).toBe(0)
    expect(off.stdout).not.toMatch(/DNS/)
    expect(dns.queries).toHaveLength(0)
  })
})
