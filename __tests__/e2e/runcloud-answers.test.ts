/**
 * The bundled action as a runner runs it, against RunCloud rate limiters of every kind (none told
 * to the action: there is no setting for a window), and against write answers that are not
 * success. Each run: exit code, a written summary, valid outputs, and no credential anywhere.
 */
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'
import {
  startSimulator,
  type Fault,
  type Simulator,
  type SimulatorOptions
} from '../../test-support/simulator/server.js'

const TOKEN = 'answers-e2e-token-7e6d5c4b3a'

let sim: Simulator
let sid: number
let aid: number
const repos: TempRepo[] = []
async function setup(opts: SimulatorOptions = {}) {
  sim = await startSimulator({ token: TOKEN, ...opts })
  sid = sim.addServer({ name: 'web-1' }).id
  aid = sim.addApp(sid, { name: 'main', primary: 'main.example.com' }).id
}
afterEach(async () => {
  await sim?.close()
  while (repos.length) repos.pop()?.cleanup()
})

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}.example.com`)
const live = () => sim.domains(sid, aid).map(d => d.name)

async function apply(before: string[], after: string[], token = TOKEN): Promise<ActionRun> {
  const repo = makeRepo([
    { 'domains.yml': manifest({ server: sid, app: aid, domains: before }) },
    { 'domains.yml': manifest({ server: sid, app: aid, domains: after }) }
  ])
  repos.push(repo)
  const run = await runAction({
    workspace: repo.dir,
    eventName: 'push',
    payload: { before: repo.shas[0] },
    inputs: { mode: 'apply', 'api-token': token, 'api-url': sim.url, force: 'true' },
    // Short timeouts and backoff only; nothing about rate limits, which has no setting.
    env: { RUNCLOUD_TIMEOUT_MS: '3000', RUNCLOUD_RETRY_BACKOFF_MS: '20' },
    timeoutMs: 300_000
  })
  const emitted = [
    run.stdout.replace(/^::add-mask::.*$/gm, ''),
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs)
  ]
  expect(emitted.join('\n').includes(TOKEN) ? 'token leaked' : 'clean').toBe('clean')
  expect(run.summary.length).toBeGreaterThan(0)
  for (const k of ['added', 'removed', 'updated', 'failed'])
    expect(Array.isArray(JSON.parse(run.outputs[k] ?? 'x'))).toBe(true)
  return run
}

describe('under each rate limiter, told nothing about its window', () => {
  it.each([
    ['laravel', 1000],
    ['retry-after', 1000],
    ['remaining', 1000],
    ['none', 1000],
    ['laravel', 3000],
    ['remaining', 3000]
  ] as const)(
    'a %s limiter with a %i ms window: converges, one 429 a window once learned',
    async (hints, windowMs) => {
      await setup({ rateLimit: { limit: 10, windowMs, hints }, latencyMs: 5 })
      const old = names('old', 12)
      sim.seedDomains(sid, aid, old)
      const fresh = names('new', 12)
      const run = await apply(old, [...old.slice(6), ...fresh])
      expect(run.exitCode).toBe(0)
      expect(live().sort()).toEqual(['main.example.com', ...old.slice(6), ...fresh].sort())
      expect(JSON.parse(run.outputs.added ?? '[]')).toHaveLength(12)
      expect(JSON.parse(run.outputs.removed ?? '[]')).toHaveLength(6)
      const answered = sim.callLog.filter(c => c.status !== 429)
      const refused = sim.callLog.filter(c => c.status === 429).length
      const windows = Math.ceil(answered.length / 10)
      // Probing a window learned nothing yet (growing pauses without hints; all on the wire without any figure).
      const teaching = hints === 'laravel' || hints === 'retry-after' ? 1 : hints === 'none' ? 8 : 3
      expect(refused).toBeLessThanOrEqual(windows + teaching)
      // Each wait is logged on one line; none of them a whole assumed minute.
      const waits = run.stdout.split('\n').filter(l => /RunCloud rate limit: next request in/.test(l))
      expect(waits.length).toBeGreaterThan(0)
      for (const w of waits) expect(Number(/in ([\d.]+) s/.exec(w)?.[1])).toBeLessThan(windowMs / 1000 + 5)
    }
  )
})

describe('write answers that are not success', () => {
  const seven: [string, Fault][] = [
    [
      '302 to a login page',
      { status: 302, body: '', headers: { location: 'https://manage.runcloud.io/login' } }
    ],
    [
      '301 to another host',
      { status: 301, body: '', headers: { location: 'https://runcloud.example.net/api/v3' } }
    ],
    ['304', { status: 304, body: '' }],
    ['204', { status: 204, body: '' }],
    ['202', { status: 202, body: '{"message":"Accepted"}', contentType: 'application/json' }],
    ['200 {}', { status: 200, body: '{}', contentType: 'application/json' }],
    ['a 50 MB body', { status: 200, bodyBytes: 50 * 1024 * 1024 }]
  ]
  it.each(seven)(
    'an add answered %s is a failed operation saying what came back; nothing listed as added',
    async (what, fault) => {
      await setup()
      sim.inject({ method: 'POST', path: /\/domains$/, fault, times: Infinity })
      const run = await apply([], ['a.example.com'])
      expect(run.exitCode).toBe(1)
      expect(JSON.parse(run.outputs.added ?? 'x')).toEqual([])
      const failed = JSON.parse(run.outputs.failed ?? '[]') as {
        domain: string
        action: string
        error: string
      }[]
      expect(failed).toEqual([expect.objectContaining({ domain: 'a.example.com', action: 'add' })])
      const error = failed[0]?.error ?? ''
      if (what.startsWith('30') && what !== '304')
        expect(error).toMatch(/redirect \(HTTP 30[12]\) to https:\/\/\S+.*check api-url/)
      else if (what === '304') expect(error).toMatch(/HTTP 304/)
      else if (what === 'a 50 MB body') expect(error).toMatch(/over 10 MiB/)
      else expect(error).toMatch(new RegExp(`HTTP ${what.slice(0, 3)}.*reading back shows it was not done`))
      expect(live()).toEqual(['main.example.com'])
      // Under `auto`, no redeploy for an app whose every add failed.
      expect(sim.state.app(sid, aid)?.sslEvents).toEqual([])
      expect(run.summary).toMatch(/a\.example\.com/)
    }
  )

  it('an add answered {} that did land is confirmed by reading back, and listed as added', async () => {
    await setup()
    sim.inject({
      method: 'POST',
      path: /\/domains$/,
      fault: { status: 200, body: '{}', contentType: 'application/json', apply: true }
    })
    const run = await apply([], ['a.example.com'])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.added ?? '[]')).toEqual(['a.example.com'])
    expect(live()).toContain('a.example.com')
  })
})

describe('a request that cannot be made here', () => {
  it('a token with a line break: a clear error naming the fix, a summary, exit 1, nothing sent', async () => {
    await setup()
    const run = await apply([], ['a.example.com'], 'abc\ndef-token-part')
    expect(run.exitCode).toBe(1)
    // Refused as a bad input before any request (the client itself would refuse it too, see
    // __tests__/runcloud/answers.test.ts): either way a clear error naming the fix.
    expect(run.stdout).toMatch(/api-token.*line breaks/)
    expect(sim.calls).toBe(0)
    for (const part of ['def-token-part'])
      expect(
        run.stdout.replace(/^::add-mask::.*$/gm, '') + run.summary + JSON.stringify(run.outputs)
      ).not.toContain(part)
  })
})
