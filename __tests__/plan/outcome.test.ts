import { withDns, withRecord } from '../../src/plan/annotate.js'
import { appViews, countChanges, failures, wasApplied, type Outcome } from '../../src/plan/outcome.js'
import { add, appPlan, note, plan, remove, update } from '../../test-support/plan-factory.js'

const p = plan(
  [
    appPlan([add('a.com'), update('u.com'), remove('r.com')], {
      label: 'shop',
      notes: [note('main.com', 'primary-kept', 'kept')]
    }),
    appPlan([], { key: '1/3', app: 3, errors: ['server 1 / app 3: HTTP 500'] })
  ],
  { mode: 'apply' }
)

describe('Outcome', () => {
  const outcome: Outcome = {
    apps: [
      {
        changes: [{ status: 'done' }, { status: 'failed', error: '422' }, undefined],
        ssl: { status: 'failed', detail: 'no DNS' }
      }
    ]
  }

  it('joins with the plan by position', () => {
    const [shop] = appViews(p, outcome)
    expect(shop?.changes.map(c => `${c.change.domain}:${c.result?.status ?? '-'}`)).toEqual([
      'a.com:done',
      'u.com:failed',
      'r.com:-'
    ])
    expect(shop?.ssl?.status).toBe('failed')
  })

  it('failures: read errors, failed changes, the certificate, kept primaries (apply); none when nothing was written', () => {
    expect(failures(p, outcome)).toEqual([
      { domain: 'u.com', action: 'update', error: '422' },
      { domain: 'shop', action: 'ssl', error: 'no DNS' },
      { domain: 'main.com', action: 'remove', error: 'kept' },
      { domain: '1/3', action: 'read', error: 'server 1 / app 3: HTTP 500' }
    ])
    expect(failures(p, undefined)).toEqual([])
    expect(failures({ ...p, mode: 'drift' }, { apps: [] }).map(f => f.action)).toEqual(['read'])
  })

  it('counts: planned before a write, only what RunCloud confirmed after', () => {
    expect(countChanges(p)).toMatchObject({ add: 1, update: 1, remove: 1, failed: 0 })
    expect(countChanges(p, outcome)).toMatchObject({ add: 1, update: 0, remove: 0, failed: 2, notReached: 1 })
    expect(wasApplied(outcome)).toBe(true)
    expect(wasApplied({ apps: [] })).toBe(false)
  })
})

describe('annotations make a new plan and leave the old one as it was', () => {
  it('withDns', () => {
    const answers = [{ name: 'a.com', verdict: 'none' as const, addresses: [] }]
    const checked = withDns(p, [{ serverIp: '203.0.113.10', answers: new Map([[0, answers]]) }])
    expect(checked.apps[0]?.changes[0]).toMatchObject({ domain: 'a.com', dns: answers })
    expect(checked.apps[0]?.serverIp).toBe('203.0.113.10')
    expect(p.apps[0]?.changes[0]).not.toHaveProperty('dns')
    expect(p.apps[0]).not.toHaveProperty('serverIp')
    expect(checked.fingerprint).toBe(p.fingerprint)
  })
  it('withRecord', () => {
    const recorded = withRecord(p, ['Recorded as deployment #1.'], ['differs from the reviewed plan'])
    expect(recorded.record).toEqual(['Recorded as deployment #1.'])
    expect(recorded.warnings).toEqual(['differs from the reviewed plan'])
    expect(p.record).toBeUndefined()
    expect(p.warnings).toEqual([])
  })
})
