/** The plan fingerprint: one value for one set of changes, whatever cosmetic form the manifests take. */
import fc from 'fast-check'
import { parseManifest } from '../../src/manifest/parse.js'
import type { Manifest } from '../../src/manifest/types.js'
import { buildPlan } from '../../src/plan/build.js'
import {
  canonicalJson,
  compareEntries,
  fingerprintEntries,
  packEntries,
  planFingerprint,
  unpackEntries
} from '../../src/plan/fingerprint.js'
import type { Plan } from '../../src/plan/model.js'
import { add, appPlan, plan, remove, update } from '../../test-support/plan-factory.js'

const opts = { file: 'domains.yml', serverId: 11667, appId: 940288 }
const parse = (text: string): Manifest => parseManifest(text, opts)
const offlinePlan = (base: string, head: string): Plan =>
  buildPlan({
    mode: 'plan',
    manifest: 'domains.yml',
    base: parse(base),
    head: parse(head),
    baseDescription: 'base',
    headDescription: 'head',
    maxRemovalPercent: 30,
    sslRedeploy: 'auto'
  })
const fp = (base: string, head: string): string => planFingerprint(offlinePlan(base, head))

const BASE =
  'version: 1\napps:\n  - server: 11667\n    app: 940288\n    domains: [old.example.com, keep.example.com]\n'
const HEAD = `version: 1
apps:
  - server: 11667
    app: 940288
    domains:
      - keep.example.com
      - new.example.com
      - name: shop.example.org
        www: false
`

describe('planFingerprint', () => {
  it('is 64 hex characters, and the same plan gives the same value', () => {
    expect(fp(BASE, HEAD)).toMatch(/^[0-9a-f]{64}$/)
    expect(fp(BASE, HEAD)).toBe(fp(BASE, HEAD))
  })

  it('is stable under reordering, case, trailing dots, flow vs block lists, comments and defaults written out', () => {
    const rewritten = `# the same, written differently
apps:
  - domains:
      - name: SHOP.Example.org.
        www: false
        redirection: non-www
      - New.Example.COM.
      - keep.example.com
    app: 940288
    server: 11667
version: 1
`
    expect(fp(BASE, rewritten)).toBe(fp(BASE, HEAD))
  })

  it('is stable between the short form and the full form of the same app ids (also ids written as strings)', () => {
    const shortBase = 'domains:\n  - old.example.com\n  - keep.example.com\n'
    const shortHead = 'domains: [keep.example.com, new.example.com]\n'
    const fullHead =
      'version: 1\napps:\n  - server: \'11667\'\n    app: "940288"\n    domains: [keep.example.com, new.example.com]\n'
    expect(fp(shortBase, shortHead)).toBe(fp(BASE, fullHead))
  })

  it('is the same for a Unicode name and its punycode form', () => {
    const uni = 'version: 1\napps:\n  - server: 1\n    app: 2\n    domains: [bücher.example]\n'
    const ascii = 'version: 1\napps:\n  - server: 1\n    app: 2\n    domains: [xn--bcher-kva.example]\n'
    expect(fp('domains: []\n', uni)).toBe(fp('domains: []\n', ascii))
  })

  it('changes with any change to an action, a name, a target setting, the app, or offline', () => {
    const base = plan([appPlan([add('a.example.com'), remove('b.example.com'), update('c.example.com')])])
    const f = planFingerprint(base)
    const variants: Plan[] = [
      plan([appPlan([add('a.example.com'), remove('b.example.com')])]),
      plan([appPlan([add('x.example.com'), remove('b.example.com'), update('c.example.com')])]),
      plan([appPlan([remove('a.example.com'), remove('b.example.com'), update('c.example.com')])]),
      plan([
        appPlan([
          add('a.example.com', { settings: { www: false, redirection: 'non-www' } }),
          remove('b.example.com'),
          update('c.example.com')
        ])
      ]),
      plan([
        appPlan([
          add('a.example.com'),
          remove('b.example.com'),
          update('c.example.com', { settings: { www: false, redirection: 'www' } })
        ])
      ]),
      plan([appPlan([add('a.example.com'), remove('b.example.com'), update('c.example.com')], { app: 3 })]),
      plan([appPlan([add('a.example.com'), remove('b.example.com'), update('c.example.com')])], {
        offline: true
      })
    ]
    const all = new Set([f, ...variants.map(planFingerprint)])
    expect(all.size).toBe(variants.length + 1)
  })

  it('ignores reasons, results, live details, SSL steps, labels and the order of apps and changes', () => {
    const a = plan([
      appPlan([add('a.example.com'), remove('b.example.com')], { key: '1/2' }),
      appPlan([add('c.example.com')], { key: '1/3', app: 3 })
    ])
    const b = plan([
      appPlan([add('c.example.com', { reason: 'missing', result: { status: 'done' } })], {
        key: '1/3',
        app: 3,
        label: 'shop',
        liveCount: 99
      }),
      appPlan(
        [
          remove('b.example.com', { reason: 'pending', result: { status: 'failed', error: 'x' } }),
          add('a.example.com', { reason: 'pending' })
        ],
        { key: '1/2', ssl: { policy: 'redeploy', wanted: true, why: 'domains added' } }
      )
    ])
    expect(planFingerprint(b)).toBe(planFingerprint(a))
  })

  it('property: any permutation of the changes gives the same fingerprint', () => {
    const changes = [
      add('a.example.com'),
      add('b.example.com', { settings: { www: false, redirection: 'none' } }),
      remove('c.example.com'),
      update('d.example.com'),
      remove('e.example.com')
    ]
    const f = planFingerprint(plan([appPlan(changes)]))
    fc.assert(
      fc.property(fc.shuffledSubarray(changes, { minLength: changes.length }), shuffled => {
        expect(planFingerprint(plan([appPlan(shuffled)]))).toBe(f)
      })
    )
  })
})

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[2,{"x":0,"z":1}]},"b":1}'
    )
  })
})

describe('packed change lists', () => {
  const p = plan([appPlan([add('a.example.com'), remove('b.example.com')])])
  it('round-trip when they hash to the fingerprint, and are refused when they do not', () => {
    const entries = fingerprintEntries(p)
    const packed = packEntries(entries) as string
    expect(unpackEntries(packed, planFingerprint(p), false)).toEqual(entries)
    expect(unpackEntries(packed, planFingerprint(p), true)).toBeUndefined()
    expect(unpackEntries('not-base64-deflate', planFingerprint(p), false)).toBeUndefined()
  })
  it('are left out when too large', () => {
    expect(packEntries(fingerprintEntries(p), 10)).toBeUndefined()
  })
  it('compare into the changes only in one list', () => {
    const other = plan([appPlan([add('a.example.com'), add('z.example.com')])])
    expect(compareEntries(fingerprintEntries(p), fingerprintEntries(other))).toEqual({
      onlyOurs: ['remove b.example.com (server 1 / app 2)'],
      onlyTheirs: ['add z.example.com (server 1 / app 2, www on, redirect non-www)']
    })
  })
})
