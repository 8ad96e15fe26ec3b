import fc from 'fast-check'
import { appsNeedingLiveState, buildPlan, type LiveApp, type PlanOptions } from '../../src/plan/build.js'
import type { AppEntry, DomainEntry, Manifest } from '../../src/manifest/types.js'
import type { LiveDomain } from '../../src/runcloud/types.js'

const pos = { line: 1, col: 1 }
const d = (name: string, www = true, redirection: DomainEntry['redirection'] = 'non-www'): DomainEntry => ({
  name,
  www,
  redirection,
  pos
})
const app = (domains: DomainEntry[], extra: Partial<AppEntry> = {}): AppEntry => ({
  server: 1,
  app: 2,
  ssl: 'redeploy',
  exclusive: false,
  ignore: [],
  domains,
  pos,
  ...extra
})
const manifest = (...apps: AppEntry[]): Manifest => ({ form: 'full', apps })
let nextId = 100
const live = (name: string, extra: Partial<LiveDomain> = {}): LiveDomain => ({
  id: nextId++,
  name,
  type: 'alias',
  www: true,
  redirection: 'non-www',
  ...extra
})
const liveMap = (entries: Record<string, LiveDomain[]>): Map<string, LiveApp> =>
  new Map(Object.entries(entries).map(([k, domains]) => [k, { serverId: 1, appId: 2, domains }]))

const opts = (o: Partial<PlanOptions>): PlanOptions => ({
  mode: 'plan',
  manifest: 'domains.yml',
  base: manifest(),
  head: manifest(),
  baseDescription: 'base',
  headDescription: 'head',
  maxRemovalPercent: 30,
  sslRedeploy: 'auto',
  ...o
})

const summary = (p: ReturnType<typeof buildPlan>): string[] =>
  p.apps.flatMap(a => a.changes.map(c => `${c.action} ${c.domain} ${c.reason}`))

describe('buildPlan offline (no credentials)', () => {
  it('plans the manifest change itself: adds, settings updates, removals', () => {
    const p = buildPlan(
      opts({
        base: manifest(app([d('a.com'), d('b.com'), d('c.com')])),
        head: manifest(app([d('a.com'), d('b.com', false), d('new.com')]))
      })
    )
    expect(p.offline).toBe(true)
    expect(summary(p)).toEqual(['add new.com new', 'update b.com settings', 'remove c.com removed'])
    expect(p.apps[0]?.live).toBe('offline')
    expect(p.apps[0]?.ssl.wanted).toBe(true)
  })

  it('removes every base domain of an app that left the manifest', () => {
    const p = buildPlan(opts({ base: manifest(app([d('a.com'), d('b.com')])), head: manifest() }))
    expect(summary(p)).toEqual(['remove a.com app-removed', 'remove b.com app-removed'])
    expect(p.apps[0]?.ssl.wanted).toBe(false)
  })

  it('leaves ignored names alone', () => {
    const p = buildPlan(
      opts({
        base: manifest(app([d('a.com'), d('x.staging.com')])),
        head: manifest(app([d('a.com')], { ignore: ['*.staging.com'] }))
      })
    )
    expect(summary(p)).toEqual([])
    expect(p.apps[0]?.notes.map(n => n.kind)).toEqual(['ignored'])
  })
})

describe('buildPlan with live state', () => {
  it('adds what is declared and not live, marks names declared before as missing', () => {
    const base = manifest(app([d('old.com')]))
    const head = manifest(app([d('old.com'), d('new.com')]))
    const p = buildPlan(
      opts({ base, head, live: liveMap({ '1/2': [live('main.com', { type: 'primary' })] }) })
    )
    expect(summary(p)).toEqual(['add new.com new', 'add old.com missing'])
    expect(p.apps[0]).toMatchObject({ live: 'read', liveCount: 1, serverId: 1, appId: 2 })
  })

  it('updates live names whose settings differ, comparing 0/1 booleans already converted', () => {
    const l = live('a.com', { www: false, redirection: 'none' })
    const p = buildPlan(
      opts({ base: manifest(app([])), head: manifest(app([d('a.com')])), live: liveMap({ '1/2': [l] }) })
    )
    expect(summary(p)).toEqual(['update a.com settings'])
    expect(p.apps[0]?.changes[0]).toMatchObject({
      from: { www: false, redirection: 'none' },
      settings: { www: true, redirection: 'non-www' },
      live: l
    })
  })

  it('removes only names the base declared and that are live; never a name nobody declared', () => {
    const p = buildPlan(
      opts({
        base: manifest(app([d('keep.com'), d('gone.com'), d('already-gone.com')])),
        head: manifest(app([d('keep.com'), d('added.com')])),
        live: liveMap({ '1/2': [live('keep.com'), live('gone.com'), live('stranger.com')] })
      })
    )
    expect(summary(p)).toEqual(['add added.com new', 'remove gone.com removed'])
  })

  it('keeps the primary domain with a note that says why', () => {
    const p = buildPlan(
      opts({
        base: manifest(app([d('main.com'), d('b.com')])),
        head: manifest(app([d('b.com')])),
        live: liveMap({ '1/2': [live('main.com', { type: 'primary' }), live('b.com')] })
      })
    )
    expect(summary(p)).toEqual([])
    expect(p.apps[0]?.notes[0]).toMatchObject({ domain: 'main.com', kind: 'primary-kept' })
    expect(p.apps[0]?.notes[0]?.message).toMatch(/primary domain/)
  })

  it('does not touch apps whose entry did not change, and asks live state only for touched apps', () => {
    const other = app([d('o.com')], { server: 9, app: 9 })
    const base = manifest(app([d('a.com')]), other)
    const head = manifest(app([d('a.com'), d('b.com')]), other)
    expect(appsNeedingLiveState('plan', base, head).map(a => a.server)).toEqual([1])
    expect(appsNeedingLiveState('drift', base, head).map(a => a.server)).toEqual([1, 9])
    const p = buildPlan(opts({ base, head, live: liveMap({ '1/2': [] }) }))
    expect(p.apps.map(a => a.live)).toEqual(['read', 'untouched'])
  })

  it('reports an app whose live state could not be read as an error, with no change', () => {
    const p = buildPlan(
      opts({
        base: manifest(),
        head: manifest(app([d('a.com')])),
        live: new Map([['1/2', { error: 'boom' }]])
      })
    )
    expect(p.apps[0]?.errors).toEqual(['boom'])
    expect(p.apps[0]?.changes).toEqual([])
  })
})

describe('safety', () => {
  const names = (n: number, prefix = 'd'): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}.com`)
  const scenario = (liveCount: number, removeCount: number, maxRemovalPercent = 30) => {
    const all = names(liveCount)
    return buildPlan(
      opts({
        mode: 'apply',
        base: manifest(app(all.map(n => d(n)))),
        head: manifest(app(all.slice(removeCount).map(n => d(n)))),
        live: liveMap({ '1/2': all.map(n => live(n)) }),
        maxRemovalPercent
      })
    ).apps[0]!.safety
  }

  it('is unsafe past max-removal-percent of an app with 10 or more live domains, naming count and percentage', () => {
    const v = scenario(10, 4)
    expect(v).toMatchObject({ unsafe: true, removals: 4, total: 10, percent: 40 })
    expect(v.message).toMatch(/removes 4 of 10 domains \(40%\)/)
    expect(v.message).toMatch(/server 1 \/ app 2/)
  })
  it('is safe at exactly the limit and for small apps', () => {
    expect(scenario(10, 3).unsafe).toBe(false)
    expect(scenario(9, 9).unsafe).toBe(false)
    // Shares where floating-point division lands just above the limit.
    expect(scenario(25, 7, 28).unsafe).toBe(false)
    expect(scenario(20, 11, 55).unsafe).toBe(false)
    expect(scenario(25, 8, 28).unsafe).toBe(true)
  })
  it('matches the rule for any size and share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        (total, r, max) => {
          const removals = r % (total + 1)
          const v = scenario(total, removals, max)
          expect(v.unsafe).toBe(total >= 10 && removals > 0 && removals * 100 > max * total)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('drift', () => {
  it('finds missing and settings drift; unmanaged is drift only in exclusive apps', () => {
    const lives = [
      live('a.com', { www: false }),
      live('stranger.com'),
      live('main.com', { type: 'primary' }),
      live('x.stage.com')
    ]
    const mk = (exclusive: boolean) =>
      buildPlan(
        opts({
          mode: 'drift',
          head: manifest(app([d('a.com'), d('m.com')], { exclusive, ignore: ['*.stage.com'] })),
          live: liveMap({ '1/2': lives })
        })
      )
    expect(summary(mk(false))).toEqual(['add m.com missing', 'update a.com settings'])
    expect(mk(false).apps[0]?.notes.map(n => `${n.kind} ${n.domain}`)).toEqual(['unmanaged stranger.com'])
    expect(summary(mk(true))).toEqual([
      'add m.com missing',
      'update a.com settings',
      'remove stranger.com unmanaged'
    ])
  })
})

describe('ssl decision', () => {
  it('auto: wanted when the change adds domains, even when they are already live', () => {
    const p = buildPlan(
      opts({
        base: manifest(app([])),
        head: manifest(app([d('a.com')])),
        live: liveMap({ '1/2': [live('a.com')] })
      })
    )
    expect(p.apps[0]?.changes).toEqual([])
    expect(p.apps[0]?.ssl.wanted).toBe(true)
  })
  it('auto: the declared-new domains already live are the advanced-SSL targets, not the other live ones', () => {
    const pre = live('pre.com')
    const p = buildPlan(
      opts({
        base: manifest(app([d('old.com')])),
        head: manifest(app([d('old.com'), d('pre.com'), d('new.com')])),
        live: liveMap({ '1/2': [live('old.com'), pre, live('main.com', { type: 'primary' })] })
      })
    )
    expect(summary(p)).toEqual(['add new.com new'])
    expect(p.apps[0]?.ssl.declaredLive).toEqual([pre])
  })
  it('auto: an app new to the manifest adopts what is live: one app redeploy, no per-domain targets', () => {
    const p = buildPlan(
      opts({
        base: manifest(),
        head: manifest(app([d('a.com'), d('b.com')])),
        live: liveMap({ '1/2': [live('a.com'), live('b.com')] })
      })
    )
    expect(p.apps[0]?.changes).toEqual([])
    expect(p.apps[0]?.ssl).toMatchObject({ wanted: true, why: 'domains new in this change, already live' })
    expect(p.apps[0]?.ssl.declaredLive).toBeUndefined()
  })
  it('honours ssl: none and ssl-redeploy never / always', () => {
    const head = manifest(app([d('a.com')]))
    expect(buildPlan(opts({ head, sslRedeploy: 'never' })).apps[0]?.ssl.wanted).toBe(false)
    expect(buildPlan(opts({ head: manifest(app([d('a.com')], { ssl: 'none' })) })).apps[0]?.ssl.wanted).toBe(
      false
    )
    expect(buildPlan(opts({ base: head, head, sslRedeploy: 'always' })).apps[0]?.ssl.wanted).toBe(true)
    expect(buildPlan(opts({ base: head, head })).apps[0]?.ssl.wanted).toBe(false)
  })
})
