/**
 * The bundled action behind a corporate proxy, end to end: RunCloud (the simulator) and GitHub (the
 * fake) served over HTTPS with a certificate made for this test and trusted through
 * NODE_EXTRA_CA_CERTS, under host names only the CONNECT proxy on loopback can resolve. A call that
 * reaches them went through the proxy; NO_PROXY and loopback hosts go direct.
 */
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import {
  makeCertificates,
  startConnectProxy,
  startTlsFront,
  type ConnectProxy,
  type TestCertificates,
  type TlsFront
} from '../../test-support/https-proxy.js'
import { manifest } from '../../test-support/manifest-text.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'

const TOKEN = 'rc-proxy-token-8c1d2e3f4a'
const GH_TOKEN = 'ghs_proxyGitHubToken0123456789abcdef'
const PROXY_USER = 'corp-user'
const PROXY_PASSWORD = 'proxy-pass-9x8y7z'

let certs: TestCertificates
let sim: Simulator
let gh: FakeGitHub
let runcloudFront: TlsFront
let githubFront: TlsFront
let proxy: ConnectProxy
let repo: TempRepo
let sid: number
let aid: number

beforeAll(() => {
  certs = makeCertificates(['runcloud.test', 'github.test'])
})
afterAll(() => certs.cleanup())

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN })
  gh = await startFakeGitHub()
  runcloudFront = await startTlsFront(sim.url, certs)
  githubFront = await startTlsFront(gh.url, certs)
  proxy = await startConnectProxy({
    hosts: { 'runcloud.test': '127.0.0.1', 'github.test': '127.0.0.1' },
    credentials: { user: PROXY_USER, password: PROXY_PASSWORD }
  })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
  repo = makeRepo([
    { 'domains.yml': manifest({ server: sid, app: aid, domains: ['a.example.com'] }) },
    { 'domains.yml': manifest({ server: sid, app: aid, domains: ['a.example.com', 'b.example.com'] }) }
  ])
  sim.seedDomains(sid, aid, ['a.example.com'])
})
afterEach(async () => {
  await Promise.all([proxy.close(), runcloudFront.close(), githubFront.close()])
  await Promise.all([sim.close(), gh.close()])
  repo.cleanup()
})

const runcloudHost = () => `runcloud.test:${runcloudFront.port}`
const githubHost = () => `github.test:${githubFront.port}`
const runcloudUrl = () => `https://${runcloudHost()}${new URL(sim.url).pathname}`
const live = () =>
  sim
    .domains(sid, aid)
    .map(d => d.name)
    .filter(n => n !== 'main.example.com')
    .sort()

function run(opts: {
  mode: 'plan' | 'apply'
  apiUrl: string
  githubApiUrl?: string
  env?: Record<string, string>
}): Promise<ActionRun> {
  const pr = opts.mode === 'plan'
  return runAction({
    workspace: repo.dir,
    eventName: pr ? 'pull_request' : 'push',
    payload: pr
      ? { number: 3, pull_request: { number: 3, base: { sha: repo.shas[0] }, head: { sha: repo.shas[1] } } }
      : { before: repo.shas[0] },
    githubApiUrl: opts.githubApiUrl ?? `https://${githubHost()}`,
    githubToken: GH_TOKEN,
    inputs: { mode: opts.mode, 'api-token': TOKEN, 'api-url': opts.apiUrl },
    // No retries: a run that cannot connect fails at once instead of backing off.
    env: { NODE_EXTRA_CA_CERTS: certs.caFile, RUNCLOUD_RETRIES: '0', ...(opts.env ?? {}) }
  })
}

const everything = (res: ActionRun) => res.stdout + res.stderr + res.summary + JSON.stringify(res.outputs)

describe('RunCloud through an HTTPS proxy', () => {
  it('applies through the proxy (CONNECT with the proxy credentials), and cannot without it', async () => {
    const direct = await run({ mode: 'apply', apiUrl: runcloudUrl() })
    expect(direct.exitCode).toBe(1)
    expect(direct.stdout).toMatch(/ENOTFOUND|EAI_AGAIN/)
    expect(sim.calls).toBe(0)
    expect(proxy.connects).toEqual([])

    const res = await run({ mode: 'apply', apiUrl: runcloudUrl(), env: { HTTPS_PROXY: proxy.url } })
    expect(res.exitCode).toBe(0)
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['b.example.com'])
    expect(live()).toEqual(['a.example.com', 'b.example.com'])
    expect(proxy.connects).toContain(runcloudHost())
    expect(proxy.refusedAuth).toBe(0)
    expect(proxy.plain).toEqual([])
    expect(runcloudFront.connections).toBeGreaterThan(0)
    // The proxy is named in the log, its credentials never.
    expect(res.stdout).toContain('through the proxy http://127.0.0.1:')
    expect(everything(res)).not.toContain(PROXY_PASSWORD)
  })

  it('verifies the certificate of RunCloud: without the test CA in NODE_EXTRA_CA_CERTS the tunnel is made but TLS fails', async () => {
    const res = await run({
      mode: 'apply',
      apiUrl: runcloudUrl(),
      env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: '' }
    })
    expect(res.exitCode).toBe(1)
    expect(proxy.connects).toContain(runcloudHost())
    expect(res.stdout).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/)
    expect(sim.calls).toBe(0)
  })

  it('the lower-case https_proxy works as well', async () => {
    const res = await run({ mode: 'apply', apiUrl: runcloudUrl(), env: { https_proxy: proxy.url } })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'b.example.com'])
    expect(proxy.connects).toContain(runcloudHost())
  })

  it('a proxy that refuses the credentials fails the run with RunCloud unreached, nothing written', async () => {
    const wrong = proxy.url.replace(PROXY_PASSWORD, 'not-the-password')
    const res = await run({ mode: 'apply', apiUrl: runcloudUrl(), env: { HTTPS_PROXY: wrong } })
    expect(res.exitCode).toBe(1)
    expect(proxy.refusedAuth).toBeGreaterThan(0)
    expect(res.stdout).toContain(
      'the proxy refused the connection with HTTP 407: check the user and password'
    )
    expect(sim.calls).toBe(0)
    expect(everything(res)).not.toContain('not-the-password')
  })

  it('NO_PROXY naming the RunCloud host sends its requests direct (where the name does not resolve), GitHub still through the proxy', async () => {
    const res = await run({
      mode: 'plan',
      apiUrl: runcloudUrl(),
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.org, .TEST:' + String(runcloudFront.port) }
    })
    // `.test:<port>` matches runcloud.test at that port only: the GitHub front's port differs.
    expect(res.exitCode).toBe(1)
    expect(res.stdout).toMatch(/ENOTFOUND|EAI_AGAIN/)
    expect(sim.calls).toBe(0)
    expect(proxy.connects).not.toContain(runcloudHost())
    expect(proxy.connects).toContain(githubHost())
  })
})

describe('GitHub API through an HTTPS proxy', () => {
  it('writes the pull request comment through the proxy, with the token only inside the tunnel', async () => {
    const res = await run({ mode: 'plan', apiUrl: runcloudUrl(), env: { HTTPS_PROXY: proxy.url } })
    expect(res.exitCode).toBe(0)
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]?.body).toContain('b.example.com')
    expect(gh.requests.every(r => r.authorization === `token ${GH_TOKEN}`)).toBe(true)
    expect(proxy.connects).toContain(githubHost())
    expect(proxy.connects).toContain(runcloudHost())
    expect(githubFront.connections).toBeGreaterThan(0)
    expect(res.stdout).toContain(`Connecting to ${githubHost()} through the proxy http://127.0.0.1:`)
    expect(everything(res)).not.toContain(PROXY_PASSWORD)
  })

  it('without the proxy the GitHub host is unreachable: a warning, no comment', async () => {
    const res = await run({
      mode: 'plan',
      apiUrl: runcloudUrl(),
      env: { HTTPS_PROXY: proxy.url, no_proxy: 'github.test' }
    })
    expect(res.exitCode).toBe(0)
    expect(gh.requests).toEqual([])
    expect(
      res.annotations.some(
        a => a.level === 'warning' && /comment.*(ENOTFOUND|EAI_AGAIN) github\.test/i.test(a.message)
      )
    ).toBe(true)
    expect(new Set(proxy.connects)).toEqual(new Set([runcloudHost()]))
  })
})

describe('loopback is never proxied', () => {
  it('the simulator and the fake GitHub on 127.0.0.1 are reached directly with every proxy variable set', async () => {
    const env = {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      https_proxy: proxy.url,
      http_proxy: proxy.url,
      NO_PROXY: '',
      no_proxy: ''
    }
    const plan = await run({ mode: 'plan', apiUrl: sim.url, githubApiUrl: gh.url, env })
    expect(plan.exitCode).toBe(0)
    expect(gh.comments).toHaveLength(1)
    const apply = await run({ mode: 'apply', apiUrl: sim.url, githubApiUrl: gh.url, env })
    expect(apply.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'b.example.com'])
    expect(proxy.connects).toEqual([])
    expect(proxy.plain).toEqual([])
    expect(apply.stdout).not.toContain('through the proxy')
  })
})
