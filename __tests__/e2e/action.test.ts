/**
 * End to end, as GitHub runs it: the bundled dist/index.js on Node 24, with INPUT_* from
 * action.yml's defaults, an event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, a real git
 * repository as the workspace, against the RunCloud simulator and a fake GitHub API on loopback.
 * Nothing of the code under test is stubbed.
 */
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { git, makeRepo, shallowClone, type TempRepo } from '../../test-support/git-repo.js'
import { startSimulator, type Simulator } from '../../test-support/simulator/server.js'
import { startFakeGitHub, type FakeGitHub } from '../../test-support/fake-github.js'
import { manifest, type AppSpec } from '../../test-support/manifest-text.js'

const TOKEN = 'rc-secret-token-5f1a9c2e7d'
const GH_TOKEN = 'ghs_e2eSecretGitHubToken0123456789'

let sim: Simulator
let gh: FakeGitHub
const repos: TempRepo[] = []
let serverId: number
let appId: number

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN, apiKey: 'legacy-key-abc123', apiSecret: 'legacy-secret-def456' })
  gh = await startFakeGitHub()
  serverId = sim.addServer({ name: 'web-1' }).id
  appId = sim.addApp(serverId, { name: 'main', primary: 'main.example.com' }).id
})
afterEach(async () => {
  await sim.close()
  await gh.close()
  while (repos.length) repos.pop()?.cleanup()
})

function repo(...manifests: (string | null)[]): TempRepo {
  const r = makeRepo(manifests.map(m => ({ 'domains.yml': m })))
  repos.push(r)
  return r
}

const live = (sid = serverId, aid = appId) =>
  sim
    .domains(sid, aid)
    .map(d => d.name)
    .sort()
const domainWrites = () =>
  sim.callLog.filter(c => c.method !== 'GET' && /\/domains(\/\d+)?(\/meta)?$/.test(c.path)).length

async function run(
  r: TempRepo | string,
  opts: { event?: string; payload?: unknown; inputs?: Record<string, string>; workspace?: string } = {}
): Promise<ActionRun> {
  const dir = typeof r === 'string' ? r : r.dir
  const result = await runAction({
    workspace: opts.workspace ?? dir,
    eventName: opts.event ?? 'push',
    payload:
      opts.payload ?? (typeof r === 'string' ? {} : { before: r.shas[r.shas.length - 2] ?? '0'.repeat(40) }),
    githubApiUrl: gh.url,
    githubToken: GH_TOKEN,
    inputs: { 'api-url': sim.url, ...(opts.inputs ?? {}) }
  })
  assertNoSecret(result)
  return result
}

/** Nothing a run emits may carry a credential. */
function assertNoSecret(r: ActionRun): void {
  const emitted = [
    r.stdout,
    r.stderr,
    r.summary,
    JSON.stringify(r.outputs),
    ...gh.comments.map(c => c.body)
  ].join('\n')
  const unmasked = r.stdout.replace(/^::add-mask::.*$/gm, '')
  for (const secret of [
    TOKEN,
    GH_TOKEN,
    'legacy-secret-def456',
    Buffer.from('legacy-key-abc123:legacy-secret-def456').toString('base64')
  ]) {
    expect(unmasked.includes(secret) ? `stdout contains ${secret.slice(0, 4)}…` : 'clean').toBe('clean')
    expect(
      emitted.replace(/^::add-mask::.*$/gm, '').includes(secret)
        ? `output contains ${secret.slice(0, 4)}…`
        : 'clean'
    ).toBe('clean')
  }
}

const apply = { mode: 'apply', 'api-token': TOKEN }
const prPayload = (r: TempRepo, number = 7) => ({
  number,
  pull_request: { number, base: { sha: r.shas[0] }, head: { sha: r.shas[1] } }
})

describe('plan on a pull request', () => {
  it('offline without a token: the manifest change, a summary with the warning, one PR comment, no RunCloud call', async () => {
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['a.example.com', 'b.example.com'] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com', 'c.example.com'] })
    )
    const res = await run(r, { event: 'pull_request', payload: prPayload(r) })
    expect(res.exitCode).toBe(0)
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['c.example.com'])
    expect(JSON.parse(res.outputs.removed ?? '')).toEqual(['b.example.com'])
    expect(res.outputs['has-changes']).toBe('true')
    expect(res.summary).toMatch(/offline/)
    expect(sim.calls).toBe(0)
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]?.body).toMatch(
      /^<!-- runcloud-domains-action:manifest=domains\.yml fingerprint=[0-9a-f]{64} plan=offline -->\n/
    )
    expect(gh.comments[0]?.body).toContain('c.example.com')
  })

  it('with credentials: reads live state of touched apps only, writes nothing, edits its comment in place on a second run', async () => {
    const other = sim.addApp(serverId, { name: 'other', primary: 'other.example.com' }).id
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const untouched = { server: serverId, app: other, domains: ['x.example.com'] }
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] }, untouched),
      manifest({ server: serverId, app: appId, domains: ['a.example.com', 'new.example.com'] }, untouched)
    )
    const first = await run(r, {
      event: 'pull_request',
      payload: prPayload(r),
      inputs: { 'api-token': TOKEN }
    })
    expect(first.exitCode).toBe(0)
    expect(JSON.parse(first.outputs.added ?? '')).toEqual(['new.example.com'])
    expect(sim.callLog.every(c => c.method === 'GET')).toBe(true)
    expect(sim.callLog.some(c => c.path.includes(`/webapps/${other}/`))).toBe(false)
    expect(gh.comments).toHaveLength(1)
    await run(r, { event: 'pull_request', payload: prPayload(r), inputs: { 'api-token': TOKEN } })
    expect(gh.comments).toHaveLength(1)
    expect(gh.requests.filter(q => q.method === 'PATCH')).toHaveLength(1)
  })

  it('a missing comment permission is a warning, not a failure', async () => {
    gh.forbidComments = true
    const r = repo(
      manifest({ server: serverId, app: appId, domains: [] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    )
    const res = await run(r, { event: 'pull_request', payload: prPayload(r) })
    expect(res.exitCode).toBe(0)
    expect(res.annotations.some(a => a.level === 'warning' && /pull-requests: write/.test(a.message))).toBe(
      true
    )
  })

  it('an invalid manifest: annotations with file, line and column, a summary, a failing exit, no network call', async () => {
    const bad =
      'version: 1\napps:\n  - server: 1\n    app: 2\n    domian: []\n    domains:\n      - https://example.com/\n'
    const r = repo(manifest({ server: 1, app: 2, domains: [] }), bad)
    const res = await run(r, { event: 'pull_request', payload: prPayload(r), inputs: { 'api-token': TOKEN } })
    expect(res.exitCode).toBe(1)
    const errors = res.annotations.filter(a => a.level === 'error' && a.properties.file)
    expect(errors.map(a => `${a.properties.line}:${a.properties.col}`)).toEqual(['5:5', '7:9'])
    expect(errors[0]?.message).toMatch(/did you mean 'domains'/)
    expect(errors[1]?.message).toMatch(/write the bare host name: example\.com/)
    expect(res.summary).toMatch(/Manifest problems/)
    expect(sim.calls).toBe(0)
  })

  it('bad inputs fail at once naming the input, before any request', async () => {
    const r = repo(manifest({ server: 1, app: 2, domains: [] }))
    for (const [inputs, name] of [
      [{ mode: 'deploy' }, 'mode'],
      [{ concurrency: '0' }, 'concurrency'],
      [{ 'max-removal-percent': 'abc' }, 'max-removal-percent'],
      [{ 'api-url': 'http://api.example.com/v3' }, 'api-url']
    ] as const) {
      const res = await run(r, { inputs })
      expect(res.exitCode).toBe(1)
      expect(res.annotations.find(a => a.level === 'error')?.message).toContain(`Input '${name}'`)
    }
    expect(sim.calls).toBe(0)
  })
  it('the summary of a run stopped by a bad input names the mode the workflow asked for', async () => {
    const r = repo(manifest({ server: 1, app: 2, domains: [] }))
    for (const [mode, heading] of [
      ['apply', 'RunCloud domains — apply'],
      ['drift', 'RunCloud domains — drift check'],
      ['plan', 'RunCloud domains — plan']
    ] as const) {
      const res = await run(r, { inputs: { mode, 'api-token': TOKEN, concurrency: '0' } })
      expect(res.exitCode).toBe(1)
      expect(res.summary.split('\n')[0]).toBe(`## ${heading}`)
      expect(res.summary).toContain("Input 'concurrency'")
      // Outputs as on any failure: empty lists, `drift` only in drift mode.
      expect(res.outputs).toMatchObject({ 'has-changes': 'false', added: '[]', removed: '[]', failed: '[]' })
      expect(res.outputs.drift).toBe(mode === 'drift' ? 'false' : undefined)
    }
  })
})

describe('apply on push', () => {
  it('adds, updates and removes, redeploys SSL once, and a re-run writes no domain change', async () => {
    sim.seedDomains(serverId, appId, ['keep.example.com', 'old.example.com', 'set.example.com'])
    const r = repo(
      manifest({
        server: 'web-1',
        app: 'main',
        domains: ['keep.example.com', 'old.example.com', 'set.example.com']
      }),
      manifest({
        server: 'web-1',
        app: 'main',
        domains: [
          'keep.example.com',
          'new.example.com',
          { name: 'set.example.com', www: false, redirection: 'none' }
        ]
      })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['keep.example.com', 'main.example.com', 'new.example.com', 'set.example.com'])
    expect(sim.domains(serverId, appId).find(d => d.name === 'set.example.com')).toMatchObject({
      www: false,
      redirection: 'none'
    })
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['new.example.com'])
    expect(JSON.parse(res.outputs.updated ?? '')).toEqual(['set.example.com'])
    expect(JSON.parse(res.outputs.removed ?? '')).toEqual(['old.example.com'])
    expect(JSON.parse(res.outputs.failed ?? '')).toEqual([])
    expect(sim.state.app(serverId, appId)?.sslEvents).toEqual(['redeploy'])
    expect(res.stdout).toMatch(/\[1\/3\] add new\.example\.com … done/)
    const plan = JSON.parse(res.outputs.plan ?? '{}') as {
      apps: { changes: { action: string; result: { status: string } }[] }[]
    }
    expect(
      plan.apps[0]!.changes.map(
        (c: { action: string; result: { status: string } }) => `${c.action}:${c.result.status}`
      )
    ).toEqual(['add:done', 'update:done', 'remove:done'])

    sim.resetCalls()
    const again = await run(r, { inputs: apply })
    expect(again.exitCode).toBe(0)
    expect(domainWrites()).toBe(0)
    expect(again.outputs['has-changes']).toBe('false')
  })

  it('a new branch push (before = zeros) compares with the parent commit', async () => {
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] }),
      manifest({ server: serverId, app: appId, domains: ['b.example.com'] })
    )
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const res = await run(r, { payload: { before: '0'.repeat(40) }, inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['b.example.com', 'main.example.com'])
  })

  it('works in a shallow clone, fetching the base commit', async () => {
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] }),
      manifest({ server: serverId, app: appId, domains: ['b.example.com'] })
    )
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const shallow = shallowClone(r)
    expect(git(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true')
    const res = await run(shallow, { payload: { before: r.shas[0] }, inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['b.example.com', 'main.example.com'])
  })

  it('in a shallow clone that cannot fetch, reads the base through the GitHub contents API', async () => {
    const base = manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    const r = repo(base, manifest({ server: serverId, app: appId, domains: ['b.example.com'] }))
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const shallow = shallowClone(r)
    git(shallow, 'remote', 'set-url', 'origin', `${r.dir}-gone`)
    gh.files.set(`domains.yml@${r.shas[0]}`, base)
    const res = await run(shallow, { payload: { before: r.shas[0] }, inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['b.example.com', 'main.example.com'])
    expect(
      gh.requests.some(q => q.path.startsWith('/repos/') && q.path.includes('/contents/domains.yml'))
    ).toBe(true)
  })

  it('two apps on two servers, resolved by name', async () => {
    const s2 = sim.addServer({ name: 'web-2' }).id
    const a2 = sim.addApp(s2, { name: 'shop', primary: 'shop.example.net' }).id
    const r = repo(
      manifest({ server: 'web-1', app: 'main', domains: [] }, { server: 'web-2', app: 'shop', domains: [] }),
      manifest(
        { server: 'web-1', app: 'main', domains: ['one.example.com'] },
        { server: 'web-2', app: 'shop', domains: ['two.example.com'] }
      )
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).toContain('one.example.com')
    expect(live(s2, a2)).toContain('two.example.com')
  })

  it('refuses a mass removal before any write, then applies it with force', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `d${i}.example.com`)
    sim.seedDomains(serverId, appId, names)
    const r = repo(
      manifest({ server: serverId, app: appId, label: 'network', domains: names }),
      manifest({ server: serverId, app: appId, label: 'network', domains: names.slice(0, 4) })
    )
    const refused = await run(r, { inputs: apply })
    expect(refused.exitCode).toBe(1)
    const error = refused.annotations.find(a => a.level === 'error')?.message ?? ''
    expect(error).toMatch(/removes 8 of 13 domains \(61\.5%\)/)
    expect(error).toMatch(/network/)
    expect(JSON.parse(refused.outputs.removed ?? '')).toEqual([])
    expect(refused.summary).toMatch(/8 to remove/)
    expect(sim.writes()).toBe(0)
    const forced = await run(r, { inputs: { ...apply, force: 'true' } })
    expect(forced.exitCode).toBe(0)
    expect(live()).toHaveLength(5)
  })

  it('never removes the primary domain, and says so', async () => {
    sim.seedDomains(serverId, appId, ['a.example.com'])
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['main.example.com', 'a.example.com'] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(1)
    expect(live()).toContain('main.example.com')
    expect((JSON.parse(res.outputs.failed ?? '') as unknown[])[0]).toMatchObject({
      domain: 'main.example.com',
      action: 'remove'
    })
    expect(res.summary).toMatch(/primary domain/)
  })

  it('removes a domain found on the last of several pages', async () => {
    const names = Array.from({ length: 95 }, (_, i) => `n${String(i).padStart(3, '0')}.example.com`)
    sim.seedDomains(serverId, appId, names)
    const r = repo(
      manifest({ server: serverId, app: appId, domains: ['n094.example.com'] }),
      manifest({ server: serverId, app: appId, domains: [] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(live()).not.toContain('n094.example.com')
    expect(sim.callLog.filter(c => c.method === 'GET' && c.path.endsWith('/domains'))).toHaveLength(3)
  })

  it('legacy API v2 credentials work, with a warning', async () => {
    const r = repo(
      manifest({ server: serverId, app: appId, domains: [] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    )
    const res = await run(r, {
      inputs: {
        mode: 'apply',
        'api-key': 'legacy-key-abc123',
        'api-secret': 'legacy-secret-def456',
        'api-url': sim.urlV2
      }
    })
    expect(res.exitCode).toBe(0)
    expect(live()).toContain('a.example.com')
    expect(res.annotations.some(a => a.level === 'warning' && /v2/.test(a.message))).toBe(true)
  })

  it('a refused token fails with how to make one, and never prints it', async () => {
    const r = repo(
      manifest({ server: serverId, app: appId, domains: [] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: { mode: 'apply', 'api-token': `${TOKEN}-wrong` } })
    expect(res.exitCode).toBe(1)
    expect(res.stdout).toMatch(/refused the API token/)
    expect(res.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(`${TOKEN}-wrong`)
  })
})

describe('short form, SSL', () => {
  it('a short-form manifest targets the inputs server-id and app-id', async () => {
    const r = repo('domains:\n  - a.example.com\n', 'domains:\n  - a.example.com\n  - b.example.com\n')
    const res = await run(r, { inputs: { ...apply, 'server-id': String(serverId), 'app-id': String(appId) } })
    expect(res.exitCode).toBe(0)
    expect(live()).toEqual(['a.example.com', 'b.example.com', 'main.example.com'])
  })

  it('an SSL failure says plainly that only the certificate failed, and fails the step', async () => {
    const app = sim.state.app(serverId, appId)!
    app.sslFailure = 'Failed to verify domain ownership (DNS)'
    const r = repo(
      manifest({ server: serverId, app: appId, domains: [] }),
      manifest({ server: serverId, app: appId, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(1)
    expect(live()).toContain('a.example.com')
    const failed = JSON.parse(res.outputs.failed ?? '[]') as unknown[]
    expect(failed).toEqual([
      expect.objectContaining({
        action: 'ssl',
        error: expect.stringMatching(/domains were changed; only the certificate failed.*DNS/)
      })
    ])
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['a.example.com'])
  })

  it('no certificate installed is a warning, not a failure', async () => {
    const bare = sim.addApp(serverId, { name: 'bare', primary: 'bare.example.com', certificate: false }).id
    const r = repo(
      manifest({ server: serverId, app: bare, domains: [] }),
      manifest({ server: serverId, app: bare, domains: ['a.example.com'] })
    )
    const res = await run(r, { inputs: apply })
    expect(res.exitCode).toBe(0)
    expect(res.annotations.some(a => a.level === 'warning' && /No SSL certificate/.test(a.message))).toBe(
      true
    )
  })

  it('ssl-redeploy always redeploys every app of the manifest, never none, ssl: none opts an app out', async () => {
    const other = sim.addApp(serverId, { name: 'other', primary: 'other.example.com' })
    const optedOut = sim.addApp(serverId, { name: 'out', primary: 'out.example.com' })
    const apps = (extra: string[]) => [
      { server: serverId, app: appId, domains: extra },
      { server: serverId, app: other.id, domains: [] },
      { server: serverId, app: optedOut.id, ssl: 'none', domains: [] }
    ]
    const r = repo(manifest(...apps([])), manifest(...apps(['a.example.com'])))
    expect((await run(r, { inputs: { ...apply, 'ssl-redeploy': 'always' } })).exitCode).toBe(0)
    expect(sim.state.app(serverId, appId)?.sslEvents).toEqual(['redeploy'])
    expect(other.sslEvents).toEqual(['redeploy'])
    expect(optedOut.sslEvents).toEqual([])
    expect((await run(r, { inputs: { ...apply, 'ssl-redeploy': 'never' } })).exitCode).toBe(0)
    expect(sim.state.app(serverId, appId)?.sslEvents).toEqual(['redeploy'])
  })
})

describe('drift', () => {
  beforeEach(() => {
    sim.seedDomains(serverId, appId, ['a.example.com', 'stranger.example.com'])
    sim.seedDomains(serverId, appId, ['b.example.com'], { www: false })
  })
  const spec = (exclusive: boolean): AppSpec => ({
    server: serverId,
    app: appId,
    exclusive,
    domains: ['a.example.com', 'b.example.com', 'missing.example.com']
  })

  it('finds missing and settings drift and fails; unmanaged is informational in a non-exclusive app', async () => {
    const r = repo(manifest(spec(false)))
    const res = await run(r, { event: 'schedule', inputs: { mode: 'drift', 'api-token': TOKEN } })
    expect(res.exitCode).toBe(1)
    expect(res.outputs.drift).toBe('true')
    expect(JSON.parse(res.outputs.added ?? '')).toEqual(['missing.example.com'])
    expect(JSON.parse(res.outputs.updated ?? '')).toEqual(['b.example.com'])
    expect(JSON.parse(res.outputs.removed ?? '')).toEqual([])
    expect(res.summary).toMatch(/stranger\.example\.com/)
    expect(sim.writes()).toBe(0)
    const quiet = await run(r, {
      event: 'schedule',
      inputs: { mode: 'drift', 'api-token': TOKEN, 'fail-on-drift': 'false' }
    })
    expect(quiet.exitCode).toBe(0)
  })

  it('reconciles, pruning unmanaged domains of an exclusive app, and converges', async () => {
    const r = repo(manifest(spec(true)))
    const res = await run(r, {
      event: 'schedule',
      inputs: { mode: 'drift', 'api-token': TOKEN, reconcile: 'true' }
    })
    expect(res.exitCode).toBe(0)
    expect(res.outputs.drift).toBe('true')
    expect(live()).toEqual(['a.example.com', 'b.example.com', 'main.example.com', 'missing.example.com'])
    const after = await run(r, { event: 'schedule', inputs: { mode: 'drift', 'api-token': TOKEN } })
    expect(after.exitCode).toBe(0)
    expect(after.outputs.drift).toBe('false')
  })
})
