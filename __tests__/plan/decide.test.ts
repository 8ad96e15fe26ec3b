/** The decide step on its own: no server, one case per mode and verdict. */
import { CLI_WORDS } from '../../src/cli/words.js'
import { decide, writes, type DecideSettings } from '../../src/plan/decide.js'
import type { Mode, Plan } from '../../src/plan/model.js'
import { ACTION_WORDS } from '../../src/words.js'
import { add, appPlan, plan, remove } from '../../test-support/plan-factory.js'

const settings = (mode: Mode, extra: Partial<DecideSettings> = {}): DecideSettings => ({
  mode,
  manifest: 'domains.yml',
  reconcile: false,
  failOnDrift: true,
  force: false,
  ...extra
})

const empty = (mode: Mode): Plan => plan([appPlan([])], { mode })
const changed = (mode: Mode): Plan => plan([appPlan([add('a.example.com')])], { mode })
const unreadable = (mode: Mode): Plan =>
  plan([appPlan([], { errors: ['server 1 / app 2: HTTP 500'] })], { mode })
const unsafe = (mode: Mode): Plan =>
  plan(
    [
      appPlan([remove('r.example.com')], {
        safety: { unsafe: true, removals: 8, total: 10, percent: 80, message: 'Unsafe plan for app 2.' }
      })
    ],
    { mode }
  )
const sslOnly = (mode: Mode): Plan =>
  plan([appPlan([], { ssl: { policy: 'redeploy', wanted: true, why: 'ssl-redeploy: always' } })], { mode })

describe('decide', () => {
  describe('plan', () => {
    it('finishes with or without changes, unsafe or not: a plan never writes', () => {
      for (const p of [empty('plan'), changed('plan'), unsafe('plan'), sslOnly('plan')])
        expect(decide(p, settings('plan'), ACTION_WORDS)).toEqual({ kind: 'finish' })
    })
    it('stops when RunCloud could not be read', () => {
      expect(decide(unreadable('plan'), settings('plan'), ACTION_WORDS)).toEqual({
        kind: 'stop',
        error: 'RunCloud could not be read: server 1 / app 2: HTTP 500'
      })
    })
    it('reconcile: true does not make a plan write', () => {
      expect(decide(changed('plan'), settings('plan', { reconcile: true }), ACTION_WORDS).kind).toBe('finish')
      expect(writes(settings('plan', { reconcile: true }))).toBe(false)
    })
  })

  describe('drift', () => {
    it('no drift finishes', () => {
      expect(decide(empty('drift'), settings('drift'), ACTION_WORDS)).toEqual({ kind: 'finish' })
    })
    it('drift stops the step when fail-on-drift, naming how to fix it in the door’s words', () => {
      const a = decide(changed('drift'), settings('drift'), ACTION_WORDS)
      expect(a).toEqual({
        kind: 'stop',
        error: expect.stringMatching(
          /^Drift found: 1 difference between domains\.yml and RunCloud \(see the summary\)\. Run with reconcile: true/
        )
      })
      const c = decide(changed('drift'), settings('drift'), CLI_WORDS)
      expect(c.kind === 'stop' && c.error).toMatch(/RunCloud\. Run with --reconcile to fix it\.$/)
    })
    it('drift without fail-on-drift finishes', () => {
      expect(decide(changed('drift'), settings('drift', { failOnDrift: false }), ACTION_WORDS).kind).toBe(
        'finish'
      )
    })
    it('read errors stop a drift check', () => {
      expect(decide(unreadable('drift'), settings('drift', { failOnDrift: false }), ACTION_WORDS).kind).toBe(
        'stop'
      )
    })
    it('reconcile applies the drift, and the safety check comes first', () => {
      expect(decide(changed('drift'), settings('drift', { reconcile: true }), ACTION_WORDS)).toEqual({
        kind: 'apply'
      })
      expect(decide(unsafe('drift'), settings('drift', { reconcile: true }), ACTION_WORDS).kind).toBe('stop')
    })
  })

  describe('apply', () => {
    it('applies changes, and an SSL redeploy wanted without changes', () => {
      expect(decide(changed('apply'), settings('apply'), ACTION_WORDS)).toEqual({ kind: 'apply' })
      expect(decide(sslOnly('apply'), settings('apply'), ACTION_WORDS)).toEqual({ kind: 'apply' })
    })
    it('nothing to do finishes without a write', () => {
      expect(decide(empty('apply'), settings('apply'), ACTION_WORDS)).toEqual({ kind: 'finish' })
    })
    it('an unsafe plan stops before any write, naming the way out in each door’s words', () => {
      const a = decide(unsafe('apply'), settings('apply'), ACTION_WORDS)
      expect(a).toEqual({
        kind: 'stop',
        error: 'Unsafe plan for app 2.\nNothing was written. If this is intended, run again with force: true.'
      })
      const c = decide(unsafe('apply'), settings('apply'), CLI_WORDS)
      expect(c.kind === 'stop' && c.error).toMatch(/run again with --force\.$/)
    })
    it('force applies an unsafe plan', () => {
      expect(decide(unsafe('apply'), settings('apply', { force: true }), ACTION_WORDS)).toEqual({
        kind: 'apply'
      })
    })
    it('read errors do not stop an apply: they are failed operations of the apps they concern', () => {
      const p = plan(
        [appPlan([], { errors: ['x'] }), appPlan([add('b.example.com')], { key: '1/3', app: 3 })],
        {
          mode: 'apply'
        }
      )
      expect(decide(p, settings('apply'), ACTION_WORDS)).toEqual({ kind: 'apply' })
    })
  })
})
