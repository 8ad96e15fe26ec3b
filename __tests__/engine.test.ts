/** The engine in-process against the simulator: the choices the README documents under "Behaviour in detail". */
import { execute, type EngineInput } from '../src/engine.js'
import { BufferLogger } from '../src/logger.js'
import { planWarnings } from '../src/plan/model.js'
import { createClient } from '../src/runcloud/client.js'
import { readSettings } from '../src/settings.js'
import { startSimulator, type Simulator } from '../test-support/simulator/server.js'
import { makeRepo, type TempRepo } from '../test-support/git-repo.js'

let sim: Simulator
let sid: number
let aid: number
let repo: TempRepo | undefined
beforeEach(async () => {
  sim = await startSimulator({ token: 'tk' })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
})
afterEach(async () => {
  await sim.close()
  repo?.cleanup()
  repo = undefined
})

const m = (domains: string[], app: number | string = aid) =>
  `version: 1\napps:\n  - server: ${sid}\n    app: ${typeof app === 'string' ? JSON.stringify(app) : app}\n    domains: [${domains.join(', ')}]\n`

async function run(commits: (string | null)[], inputs: Record<string, string>) {
  repo?.cleanup() // a test that runs twice leaves no repository behind
  repo = makeRepo(commits.map(c => ({ 'domains.yml': c })))
  const settings = readSettings(n => ({ 'api-url': sim.url, ...inputs })[n] ?? '')
  const log = new BufferLogger()
  const input: EngineInput = {
    settings,
    workspace: repo.dir,
    event: { eventName: 'push', payload: { before: repo.shas[repo.shas.length - 2] } },
    createApi: () => createClient({ baseUrl: settings.apiUrl, token: settings.apiToken, concurrency: 2 }),
    log,
    // The DNS check asks a closed loopback port: no test asks a resolver off this machine.
    env: { RUNCLOUD_DNS_SERVERS: '127.0.0.1:9' }
  }
  return { result: await execute(input), log }
}

it('a deleted manifest plans the removal of what it declared, with a warning', async () => {
  sim.seedDomains(sid, aid, ['a.example.com'])
  const { result } = await run([m(['a.example.com']), null], { 'api-token': 'tk' })
  expect(result.exitCode).toBe(0)
  expect(result.plan?.apps[0]?.changes.map(c => `${c.action} ${c.domain} ${c.reason}`)).toEqual([
    'remove a.example.com app-removed'
  ])
  expect(result.plan?.warnings.join()).toMatch(/was deleted/)
})

it('no manifest at all is an error that says how to fix it', async () => {
  const { result } = await run([null, null], {})
  expect(result.exitCode).toBe(1)
  expect(result.error).toMatch(/No manifest at domains\.yml: create it, or set the 'manifest' input/)
})

it('an invalid base manifest plans no removal, with a warning', async () => {
  sim.seedDomains(sid, aid, ['a.example.com'])
  const { result } = await run(['apps: [oops', m(['b.example.com'])], { 'api-token': 'tk' })
  expect(result.exitCode).toBe(0)
  expect(result.plan?.apps[0]?.changes.map(c => c.action)).toEqual(['add'])
  expect(result.plan?.warnings.join()).toMatch(
    /base manifest .* is invalid, so nothing is planned for removal/
  )
})

it('removing the primary domain is a warning in plan and a failed operation in apply', async () => {
  sim.seedDomains(sid, aid, ['a.example.com'])
  const commits = [m(['main.example.com', 'a.example.com']), m(['a.example.com'])]
  const plan = await run(commits, { 'api-token': 'tk' })
  expect(plan.result.exitCode).toBe(0)
  expect(planWarnings(plan.result.plan!).join()).toMatch(/primary domain/)
  const apply = await run(commits, { 'api-token': 'tk', mode: 'apply' })
  expect(apply.result.exitCode).toBe(1)
  expect(apply.result.failed).toEqual([
    expect.objectContaining({ domain: 'main.example.com', action: 'remove' })
  ])
  // The step's error itself says why, not only the `failed` output.
  expect(apply.result.error).toMatch(
    /remove main\.example\.com: .*primary domain of the app and is never removed/
  )
  expect(sim.domains(sid, aid).map(d => d.name)).toContain('main.example.com')
})

it('an app name RunCloud does not know fails a plan with the API’s answer, and other apps go ahead in apply', async () => {
  const other = sim.addApp(sid, { name: 'other', primary: 'o.example.com' }).id
  const two = (extra: string[]) =>
    `${m(
      extra.map(e => `n-${e}`),
      'nope'
    )}  - server: ${sid}\n    app: ${other}\n    domains: [${extra.join(', ')}]\n`
  const plan = await run([two([]), two(['x.example.com'])], { 'api-token': 'tk' })
  expect(plan.result.exitCode).toBe(1)
  expect(plan.result.error).toMatch(/no web app on server \d+ named "nope"/)
  const apply = await run([two([]), two(['x.example.com'])], { 'api-token': 'tk', mode: 'apply' })
  expect(apply.result.exitCode).toBe(1)
  expect(sim.domains(sid, other).map(d => d.name)).toContain('x.example.com')
  expect(apply.result.failed[0]).toMatchObject({ action: 'read', domain: `${sid}/nope` })
})

it('an untouched app costs no call outside drift', async () => {
  const other = sim.addApp(sid, { name: 'other', primary: 'o.example.com' }).id
  const two = (extra: string[]) =>
    `${m(extra)}  - server: ${sid}\n    app: ${other}\n    domains: [k.example.com]\n`
  const { result } = await run([two([]), two(['x.example.com'])], {
    'api-token': 'tk',
    mode: 'apply',
    'ssl-redeploy': 'never',
    'dns-check': 'false'
  })
  expect(result.exitCode).toBe(0)
  expect(sim.callLog.filter(c => c.path.includes(`/webapps/${other}`))).toEqual([])
  expect(result.calls).toBe(2)
})

describe('one web app written two ways (by name, by id)', () => {
  it('rewriting app: <name> as app: <id> applies nothing, instead of removing and re-adding every domain', async () => {
    sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'])
    const commits = [m(['a.example.com', 'b.example.com'], 'main'), m(['a.example.com', 'b.example.com'])]
    const { result } = await run(commits, { 'api-token': 'tk', mode: 'apply' })
    expect(result.exitCode).toBe(0)
    expect(result.plan?.apps.flatMap(a => a.changes)).toEqual([])
    expect(result.plan?.apps).toHaveLength(1)
    expect(sim.callLog.filter(c => c.method !== 'GET')).toEqual([])
    expect(
      sim
        .domains(sid, aid)
        .map(d => d.name)
        .sort()
    ).toEqual(['a.example.com', 'b.example.com', 'main.example.com'])
  })

  it('a rewrite that also changes the list plans only the difference', async () => {
    sim.seedDomains(sid, aid, ['a.example.com', 'b.example.com'])
    const commits = [m(['a.example.com', 'b.example.com'], 'main'), m(['a.example.com', 'c.example.com'])]
    const { result } = await run(commits, { 'api-token': 'tk' })
    expect(result.plan?.apps.flatMap(a => a.changes.map(c => `${c.action} ${c.domain}`))).toEqual([
      'add c.example.com',
      'remove b.example.com'
    ])
  })

  it('two entries for one web app are each an error naming the other, and nothing is written', async () => {
    const twice = `version: 1\napps:\n  - server: ${sid}\n    app: ${aid}\n    domains: [a.example.com]\n  - server: web-1\n    app: main\n    domains: [b.example.com]\n`
    const { result } = await run([null, twice], { 'api-token': 'tk', mode: 'apply' })
    expect(result.exitCode).toBe(1)
    expect(result.error).toMatch(/is the same web app as .*list it once in the manifest/)
    expect(result.plan?.apps.every(a => a.errors.length === 1)).toBe(true)
    expect(sim.callLog.filter(c => c.method !== 'GET')).toEqual([])
  })
})

it('apps that cannot be read are named one a line in the step’s error', async () => {
  const two = `version: 1\napps:\n  - server: ${sid}\n    app: 990001\n    domains: [a.example.com]\n  - server: ${sid}\n    app: 990002\n    domains: [b.example.com]\n`
  const { result } = await run([null, two], { 'api-token': 'tk' })
  expect(result.exitCode).toBe(1)
  expect(result.error).toMatch(/^RunCloud could not be read for 2 apps:\n- .*990001.*\n- .*990002/)
})

it('ssl-redeploy: always with an app that cannot be resolved is an app error and a failed operation, not a silent skip', async () => {
  // Two apps, the second named wrongly; the manifest change touches neither, so only `always` reaches them.
  const other = sim.addApp(sid, { name: 'other', primary: 'other.example.com' }).id
  const two = (second: string) =>
    `version: 1\napps:\n  - server: ${sid}\n    app: ${other}\n    domains: [o.example.com]\n  - server: ${sid}\n    app: ${second}\n    domains: [a.example.com]\n`
  sim.seedDomains(sid, other, ['o.example.com'])
  sim.seedDomains(sid, aid, ['a.example.com'])
  const { result } = await run([two('"no-such-app"'), two('"no-such-app"')], {
    'api-token': 'tk',
    mode: 'apply',
    'ssl-redeploy': 'always'
  })
  expect(result.exitCode).toBe(1)
  expect(result.failed).toEqual([
    expect.objectContaining({
      action: 'read',
      error: expect.stringMatching(
        /could not be resolved, so its certificate was not redeployed: no web app on server \d+ named "no-such-app"/
      )
    })
  ])
  // The reports show it as the app's error.
  expect(result.plan?.apps[1]?.errors).toEqual([expect.stringMatching(/no-such-app/)])
  expect(sim.state.app(sid, other)?.sslEvents).toEqual(['redeploy'])
})
