import { computeOutputs, planOutput } from '../../src/report/outputs.js'
import { add, appPlan, liveDomain, plan, remove, update, outcomeOf } from '../../test-support/plan-factory.js'

const list = (s: string | undefined): unknown => JSON.parse(s ?? 'null')

describe('computeOutputs', () => {
  it('plan mode: exactly the documented outputs, every planned name, ASCII, in plan order', () => {
    const p = plan([
      appPlan([add('a.com'), add('xn--bcher-kva.example', { unicode: 'bücher.example' }), update('u.com')]),
      appPlan([remove('r.com', { live: liveDomain('r.com', 9) })], { key: '1/3', app: 3 })
    ])
    const out = computeOutputs(p, outcomeOf(p))
    expect(Object.keys(out).sort()).toEqual([
      'added',
      'failed',
      'fingerprint',
      'has-changes',
      'plan',
      'removed',
      'updated'
    ])
    expect(out['has-changes']).toBe('true')
    expect(list(out.added)).toEqual(['a.com', 'xn--bcher-kva.example'])
    expect(list(out.updated)).toEqual(['u.com'])
    expect(list(out.removed)).toEqual(['r.com'])
    expect(list(out.failed)).toEqual([])
  })

  it('has-changes is false for a plan without changes', () => {
    const out = computeOutputs(plan([appPlan([])]))
    expect(out['has-changes']).toBe('false')
    expect(list(out.added)).toEqual([])
  })

  it('the plan output is a clean shape: per app server, app, label, changes with action, domain, reason, result', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', { result: { status: 'done' } }),
            update('u.com', { live: liveDomain('u.com', 5), result: { status: 'noop' } }),
            remove('r.com', { live: liveDomain('r.com', 9), result: { status: 'failed', error: 'HTTP 500' } })
          ],
          { label: 'main', serverId: 1, appId: 2 }
        )
      ],
      { mode: 'apply', base: { sha: 'a'.repeat(40), description: 'base' } }
    )
    const json = list(computeOutputs(p, outcomeOf(p)).plan) as { apps: Record<string, unknown>[] }
    expect(json).toMatchObject({
      mode: 'apply',
      manifest: 'domains.yml',
      base: { sha: 'a'.repeat(40), description: 'base' },
      offline: false
    })
    expect(json.apps[0]).toMatchObject({ server: 1, app: 2, label: 'main', serverId: 1, appId: 2 })
    expect(json.apps[0]?.changes).toEqual([
      {
        action: 'add',
        domain: 'a.com',
        reason: 'new',
        reasonText: 'new in this change',
        settings: { www: true, redirection: 'non-www' },
        result: { status: 'done' }
      },
      {
        action: 'update',
        domain: 'u.com',
        reason: 'settings',
        reasonText: 'settings differ',
        settings: { www: false, redirection: 'none' },
        from: { www: true, redirection: 'non-www' },
        id: 5,
        result: { status: 'noop' }
      },
      {
        action: 'remove',
        domain: 'r.com',
        reason: 'removed',
        reasonText: 'removed from the manifest',
        id: 9,
        result: { status: 'failed', error: 'HTTP 500' }
      }
    ])
    // The live objects' internals stay out: only the id is kept.
    expect(computeOutputs(p, outcomeOf(p)).plan).not.toMatch(/created_at|webApplication_id|"live":\{/)
  })

  it('apply mode: only what this run did (done), not what was already so; failures with domain, action, error', () => {
    const p = plan(
      [
        appPlan(
          [
            add('a.com', { result: { status: 'done' } }),
            add('already.com', { result: { status: 'noop' } }),
            add('b.com', { result: { status: 'failed', error: 'HTTP 422: invalid' } }),
            update('u.com', { result: { status: 'done' } }),
            remove('c.com', { result: { status: 'noop' } }),
            remove('d.com', { result: { status: 'done' } }),
            remove('e.com', { result: { status: 'skipped', error: 'not reached' } })
          ],
          {
            label: 'shop',
            ssl: {
              policy: 'redeploy',
              wanted: true,
              why: 'domains added',
              result: { status: 'failed', detail: 'HTTP 500 from /ssl/3' }
            }
          }
        )
      ],
      { mode: 'apply' }
    )
    const out = computeOutputs(p, outcomeOf(p))
    expect(list(out.added)).toEqual(['a.com'])
    expect(list(out.updated)).toEqual(['u.com'])
    expect(list(out.removed)).toEqual(['d.com'])
    expect(list(out.failed)).toEqual([
      { domain: 'b.com', action: 'add', error: 'HTTP 422: invalid' },
      { domain: 'e.com', action: 'remove', error: 'not reached' },
      { domain: 'shop', action: 'ssl', error: 'HTTP 500 from /ssl/3' }
    ])
    expect(out.drift).toBeUndefined()
  })

  it('a refused apply (no results) added and removed nothing, though it has changes', () => {
    const out = computeOutputs(plan([appPlan([add('a.com'), remove('r.com')])], { mode: 'apply' }))
    expect(out['has-changes']).toBe('true')
    expect(list(out.added)).toEqual([])
    expect(list(out.removed)).toEqual([])
  })

  it('failed: failures(plan, outcome), reduced to domain, action and error; none when nothing was written', () => {
    const p = plan([appPlan([], { errors: ['HTTP 404'] })], { mode: 'apply' })
    expect(list(computeOutputs(p, { apps: [] }).failed)).toEqual([
      { domain: '1/2', action: 'read', error: 'HTTP 404' }
    ])
    expect(list(computeOutputs(p, undefined).failed)).toEqual([])
  })

  it('drift: the flag only in drift mode; without reconcile the names are the drift found', () => {
    const p = plan(
      [appPlan([add('missing.com', { reason: 'missing' }), remove('stray.com', { reason: 'unmanaged' })])],
      {
        mode: 'drift'
      }
    )
    const out = computeOutputs(p, outcomeOf(p), { drift: true })
    expect(out.drift).toBe('true')
    expect(list(out.added)).toEqual(['missing.com'])
    expect(list(out.removed)).toEqual(['stray.com'])
    expect(computeOutputs(plan([], { mode: 'drift' }), undefined, { drift: false }).drift).toBe('false')
    // Reconciled: what was fixed.
    const reconciled = {
      apps: [{ changes: [{ status: 'done' as const }, { status: 'failed' as const, error: 'x' }] }]
    }
    expect(list(computeOutputs(p, reconciled, { drift: true }).added)).toEqual(['missing.com'])
    expect(list(computeOutputs(p, reconciled, { drift: true }).removed)).toEqual([])
  })

  it('is deterministic: the same plan built with its objects in another key order gives the same text', () => {
    const a = plan([appPlan([add('a.com')], { label: 'x' })])
    const b = plan([
      appPlan(
        [{ settings: { redirection: 'non-www', www: true }, reason: 'new', domain: 'a.com', action: 'add' }],
        {
          ssl: { why: 'no domains added', wanted: false, policy: 'redeploy' },
          safety: { percent: 0, total: 0, removals: 0, unsafe: false },
          label: 'x'
        }
      )
    ])
    expect(computeOutputs(b, outcomeOf(b))).toEqual(computeOutputs(a, outcomeOf(a)))
    expect(computeOutputs(b, outcomeOf(b)).plan).toBe(computeOutputs(a, outcomeOf(a)).plan)
  })
})

describe('planOutput', () => {
  const big = () =>
    plan([
      appPlan(
        Array.from({ length: 3000 }, (_, i) => add(`d${i}.example.com`)),
        { key: 'a', app: 2 }
      ),
      appPlan([add('only.example.org')], { key: 'b', app: 3 })
    ])
  it('is the whole plan when it fits', () => {
    const p = big()
    expect(JSON.parse(planOutput(p, outcomeOf(p)))).not.toHaveProperty('truncated')
  })
  it('a plan over the limit keeps every app and the first changes of each, says what was left out, and stays JSON', () => {
    const text = planOutput(big(), undefined, 50_000)
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(50_000)
    const out = JSON.parse(text) as {
      truncated: boolean
      apps: { app: number; changes: { domain: string }[]; changesLeftOut?: number }[]
    }
    expect(out.truncated).toBe(true)
    expect(out.apps.map(a => a.app)).toEqual([2, 3])
    const [first, second] = out.apps
    expect(first!.changes[0]?.domain).toBe('d0.example.com')
    expect(first!.changes.length + (first!.changesLeftOut ?? 0)).toBe(3000)
    expect(first!.changesLeftOut).toBeGreaterThan(0)
    expect(second!.changes.map(c => c.domain)).toEqual(['only.example.org'])
  })
  it('computeOutputs uses it, while added still names every change', () => {
    const out = computeOutputs(big())
    expect(JSON.parse(out.added ?? '')).toHaveLength(3001)
    expect(out.plan).toBe(planOutput(big()))
  })
})
