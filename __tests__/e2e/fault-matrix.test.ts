/**
 * The fault matrix: every cell is a real run of the bundled action against the simulator with a
 * fault switched on, in plan, apply, and drift + reconcile. For each: no unintended removal, no
 * duplicate, every intended change done or reported failed, no credential emitted, and a second
 * run without the fault converges so that a third finds nothing to do.
 */
import { runAction, type ActionRun } from '../../test-support/action-runner.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'
import {
  startSimulator,
  type FaultRule,
  type Simulator,
  type SimulatorOptions
} from '../../test-support/simulator/server.js'
import { manifest as manifestText } from '../../test-support/manifest-text.js'

const TOKEN = 'matrix-token-0a1b2c3d4e5f'
// No rate-limit setting exists: the limiter rows below are paced from the answers alone.
const TUNING = {
  RUNCLOUD_TIMEOUT_MS: '600',
  RUNCLOUD_RETRY_BACKOFF_MS: '20'
}

interface Fault {
  name: string
  sim?: SimulatorOptions
  rules?: FaultRule[]
}
const FAULTS: Fault[] = [
  {
    name: '5xx burst',
    rules: [
      { fault: { status: 503 }, times: 3 },
      { method: 'POST', fault: { status: 500 }, times: 1 }
    ]
  },
  {
    name: 'Laravel-style limiter (Retry-After and X-RateLimit-Reset on 429)',
    sim: { rateLimit: { limit: 4, windowMs: 1000, hints: 'laravel' } }
  },
  {
    name: 'limiter with remaining figures and a bare 429',
    sim: { rateLimit: { limit: 4, windowMs: 1000, hints: 'remaining' } }
  },
  {
    name: 'limiter with no hints at all',
    sim: { rateLimit: { limit: 4, windowMs: 1000, hints: 'none' } }
  },
  {
    name: 'connection resets',
    rules: [
      { fault: 'reset', times: 2 },
      { method: 'DELETE', fault: 'reset', times: 1 }
    ]
  },
  {
    name: 'stalled responses past the timeout',
    rules: [
      { fault: 'stall', times: 1 },
      { method: 'POST', fault: 'stall', times: 1 }
    ]
  },
  {
    name: 'HTML error pages',
    rules: [
      { fault: 'html', times: 2 },
      { method: 'PATCH', fault: 'html', times: 1 }
    ]
  },
  {
    name: 'applied but answered 500 on add',
    rules: [{ method: 'POST', path: /\/domains$/, fault: 'applied-500', times: 2 }]
  },
  {
    name: 'applied but answered 500 on remove',
    rules: [{ method: 'DELETE', fault: 'applied-500', times: 2 }]
  },
  { name: '401 midway', rules: [{ fault: { status: 401 }, after: 4, times: Infinity }] }
]
const MODES = ['plan', 'apply', 'drift'] as const

const KEEP = ['keep1.example.com', 'keep2.example.com', 'keep3.example.com']
const PRIMARY = 'main.example.com'
const STRANGER = 'stranger.example.com'

function manifest(sid: number, aid: number, domains: string[], exclusive = false): string {
  return manifestText({
    server: sid,
    app: aid,
    exclusive,
    domains: domains.map(d => (d === 'set.example.com' ? { name: d, www: false } : d))
  })
}

describe.each(FAULTS)('$name', fault => {
  let sim: Simulator
  let repo: TempRepo
  let sid: number
  let aid: number
  beforeEach(async () => {
    sim = await startSimulator({ token: TOKEN, ...(fault.sim ?? {}) })
    sid = sim.addServer({ name: 'web-1' }).id
    aid = sim.addApp(sid, { name: 'main', primary: PRIMARY }).id
    sim.seedDomains(sid, aid, [...KEEP, 'old1.example.com', 'old2.example.com', 'set.example.com', STRANGER])
  })
  afterEach(async () => {
    await sim.close()
    repo.cleanup()
  })

  const names = () => sim.domains(sid, aid).map(d => d.name)
  const run = async (mode: string): Promise<ActionRun> => {
    const inputs: Record<string, string> = { mode, 'api-token': TOKEN, 'api-url': sim.url, comment: 'false' }
    if (mode === 'drift') inputs.reconcile = 'true'
    const r = await runAction({
      workspace: repo.dir,
      eventName: mode === 'plan' ? 'pull_request' : 'push',
      payload:
        mode === 'plan'
          ? { pull_request: { number: 1, base: { sha: repo.shas[0] } } }
          : { before: repo.shas[0] },
      inputs,
      env: TUNING
    })
    const emitted = [
      r.stdout.replace(/^::add-mask::.*$/gm, ''),
      r.stderr,
      r.summary,
      JSON.stringify(r.outputs)
    ].join('\n')
    expect(emitted.includes(TOKEN) ? 'token leaked' : 'clean').toBe('clean')
    return r
  }

  it.each(MODES)('%s', async mode => {
    const desired =
      mode === 'drift'
        ? [...KEEP, 'set.example.com', 'new1.example.com', 'new2.example.com']
        : [...KEEP, 'set.example.com', 'new1.example.com', 'new2.example.com']
    repo = makeRepo([
      {
        'domains.yml': manifest(sid, aid, [
          ...KEEP,
          'old1.example.com',
          'old2.example.com',
          'set.example.com'
        ])
      },
      { 'domains.yml': manifest(sid, aid, desired, mode === 'drift') }
    ])
    for (const rule of fault.rules ?? []) sim.inject(rule)

    const first = await run(mode)
    const live = names()
    // No duplicate, ever.
    expect(new Set(live).size).toBe(live.length)
    // No unintended removal: the primary, the kept names, and (outside an exclusive reconcile) the stranger.
    for (const n of [PRIMARY, ...KEEP]) expect(live).toContain(n)
    if (mode !== 'drift') expect(live).toContain(STRANGER)

    if (mode === 'plan') {
      expect(sim.callLog.filter(c => c.method !== 'GET')).toHaveLength(0)
      if (first.exitCode === 0) {
        expect(JSON.parse(first.outputs.added ?? '[]')).toEqual(['new1.example.com', 'new2.example.com'])
        expect(JSON.parse(first.outputs.removed ?? '[]')).toEqual(['old1.example.com', 'old2.example.com'])
      } else {
        expect(first.annotations.some(a => a.level === 'error')).toBe(true)
      }
      return
    }

    // Every intended change is either done (visible on RunCloud) or reported failed.
    const failed = (JSON.parse(first.outputs.failed ?? '[]') as { domain: string }[]).map(f => f.domain)
    const intendedAdds = ['new1.example.com', 'new2.example.com']
    const intendedRemovals = mode === 'drift' ? [STRANGER] : ['old1.example.com', 'old2.example.com']
    if (first.exitCode === 0) {
      for (const n of intendedAdds) expect(live).toContain(n)
      for (const n of intendedRemovals) expect(live).not.toContain(n)
      expect(sim.domains(sid, aid).find(d => d.name === 'set.example.com')?.www).toBe(false)
    } else {
      const reported = failed.length > 0 || first.annotations.some(a => a.level === 'error')
      expect(reported).toBe(true)
      for (const n of intendedAdds)
        if (!live.includes(n))
          expect(
            failed.includes(n) ||
              failed.includes('') ||
              first.outputs.failed === undefined ||
              /refused|could not be read/.test(first.stdout)
          ).toBe(true)
    }

    // Without the fault, a second run converges, and a third has nothing left to do.
    sim.clearFaults()
    if (sim.options.rateLimit) sim.options.rateLimit = undefined
    const second = await run(mode)
    expect(second.exitCode).toBe(0)
    const after = names().sort()
    expect(after).toEqual([PRIMARY, ...desired, ...(mode === 'drift' ? [] : [STRANGER])].sort())
    sim.resetCalls()
    const third = await run(mode)
    expect(third.exitCode).toBe(0)
    expect(third.outputs['has-changes']).toBe('false')
    expect(sim.callLog.filter(c => c.method !== 'GET' && /\/domains/.test(c.path))).toHaveLength(0)
  })
})
