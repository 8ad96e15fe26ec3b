import type { AppEntry } from '../../src/manifest/types.js'
import type { ChangeResult } from '../../src/plan/outcome.js'
import { advancedStep, declaredLiveDomains, plannedSsl, sslAfterChanges } from '../../src/plan/ssl-policy.js'
import { add, appPlan, liveDomain, remove } from '../../test-support/plan-factory.js'

const entry = (names: string[], ssl: AppEntry['ssl'] = 'redeploy'): AppEntry =>
  ({
    server: 1,
    app: 2,
    exclusive: false,
    ignore: [],
    ssl,
    domains: names.map(name => ({ name, www: true, redirection: 'non-www' }))
  }) as unknown as AppEntry

describe('plannedSsl: when a redeploy is planned', () => {
  const apply = { mode: 'apply' as const, sslRedeploy: 'auto' as const }
  it('auto: when the change adds domains, or declares new ones that are live already (a re-run)', () => {
    expect(plannedSsl(apply, entry(['a', 'b']), entry(['a']), 1)).toMatchObject({
      wanted: true,
      why: 'domains added to the app'
    })
    expect(plannedSsl(apply, entry(['a', 'b']), entry(['a']), 0)).toMatchObject({
      wanted: true,
      why: 'domains new in this change, already live'
    })
    expect(plannedSsl(apply, entry(['a']), entry(['a', 'b']), 0)).toMatchObject({ wanted: false })
  })
  it('never for ssl: none, ssl-redeploy: never, a removed app or drift; always for always', () => {
    expect(plannedSsl(apply, entry(['a'], 'none'), undefined, 1).wanted).toBe(false)
    expect(plannedSsl({ ...apply, sslRedeploy: 'never' }, entry(['a']), undefined, 1).wanted).toBe(false)
    expect(plannedSsl(apply, undefined, entry(['a']), 0)).toMatchObject({
      wanted: false,
      why: 'app removed from the manifest'
    })
    expect(plannedSsl({ mode: 'drift', sslRedeploy: 'auto' }, entry(['a']), undefined, 1).wanted).toBe(false)
    expect(plannedSsl({ ...apply, sslRedeploy: 'always' }, entry(['a']), entry(['a']), 0).wanted).toBe(true)
  })
})

describe('declaredLiveDomains: what a re-run redeploys under advanced SSL', () => {
  const step = { policy: 'redeploy' as const, wanted: true, why: '' }
  const live = new Map([
    ['b', liveDomain('b', 41)],
    ['a', liveDomain('a', 40)]
  ])
  it('the names new in this change that are live', () => {
    expect(declaredLiveDomains(step, 'apply', entry(['a', 'b']), entry(['a']), live).map(d => d.id)).toEqual([
      41
    ])
  })
  it('none for an app new to the manifest (it adopts what is live), in drift, or when not wanted', () => {
    expect(declaredLiveDomains(step, 'apply', entry(['a', 'b']), undefined, live)).toEqual([])
    expect(declaredLiveDomains(step, 'drift', entry(['a', 'b']), entry(['a']), live)).toEqual([])
    expect(
      declaredLiveDomains({ ...step, wanted: false }, 'apply', entry(['a', 'b']), entry(['a']), live)
    ).toEqual([])
  })
})

describe('sslAfterChanges: what the run does once the changes ran', () => {
  const done = (id: number): ChangeResult => ({ status: 'done', live: liveDomain(`d${id}`, id) })
  const failed: ChangeResult = { status: 'failed', error: 'x' }
  const planned = { policy: 'redeploy' as const, wanted: true, why: 'domains added to the app' }
  it('redeploys for the domains that landed', () => {
    const app = appPlan([add('a'), add('b'), remove('c')], { ssl: planned })
    expect(sslAfterChanges(app, [done(1), failed, { status: 'done' }], 'auto')).toEqual({
      kind: 'redeploy',
      targets: [liveDomain('d1', 1)],
      everyDomain: false
    })
  })
  it('auto: every add failed → skipped with why; always → still redeploys', () => {
    const app = appPlan([add('a')], { ssl: planned })
    expect(sslAfterChanges(app, [failed], 'auto')).toEqual({
      kind: 'skip',
      detail: 'every add failed, so no certificate was redeployed'
    })
    expect(sslAfterChanges(app, [failed], 'always')).toMatchObject({ kind: 'redeploy', everyDomain: true })
  })
  it('a redeploy the plan did not want, because this run added domains, says why; never and none keep away', () => {
    const notPlanned = { policy: 'redeploy' as const, wanted: false, why: 'no domains added' }
    const app = appPlan([add('a')], { ssl: notPlanned })
    expect(sslAfterChanges(app, [done(1)], 'auto')).toMatchObject({
      kind: 'redeploy',
      why: 'domains added by this run'
    })
    expect(sslAfterChanges(app, [done(1)], 'never')).toEqual({ kind: 'none' })
    expect(
      sslAfterChanges(appPlan([add('a')], { ssl: { ...planned, policy: 'none' } }), [done(1)], 'auto')
    ).toEqual({
      kind: 'none'
    })
  })
  it('a re-run: declared-live domains keep the redeploy even when every add failed', () => {
    const app = appPlan([add('a')], { ssl: { ...planned, declaredLive: [liveDomain('pre', 9)] } })
    expect(sslAfterChanges(app, [failed], 'auto')).toMatchObject({
      kind: 'redeploy',
      targets: [liveDomain('pre', 9)]
    })
  })
})

describe('advancedStep', () => {
  it('redeploys a certificate, installs one where none and AutoSSL is off, else leaves it to AutoSSL', () => {
    expect(advancedStep(true, false)).toBe('redeploy')
    expect(advancedStep(true, true)).toBe('redeploy')
    expect(advancedStep(false, false)).toBe('install')
    expect(advancedStep(false, true)).toBe('autossl')
  })
})
