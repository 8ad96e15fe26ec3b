import { driftIssueMarker, driftIssueTitle, driftState } from '../../src/report/drift-issue.js'
import type { AppPlan, Change, Plan } from '../../src/plan/model.js'
import type { ChangeResult, Outcome } from '../../src/plan/outcome.js'

type Shape = Partial<Change> & { result?: ChangeResult }
const app = (changes: Shape[], errors: string[] = []) => ({ changes, errors }) as unknown as AppPlan
const plan = (apps: AppPlan[], mode: Plan['mode'] = 'drift') => ({ mode, apps }) as unknown as Plan
/** The results the shapes carry, as the outcome applying the plan returns. */
const outcomeOf = (p: Plan | undefined): Outcome | undefined =>
  p && {
    apps: p.apps.map(a => ({ changes: a.changes.map(c => (c as Shape).result) }))
  }

const state = (p: Plan | undefined) => driftState(p, outcomeOf(p))

describe('drift issue', () => {
  it('one manifest written two ways is one issue', () => {
    expect(driftIssueMarker('./domains.yml')).toBe(driftIssueMarker('domains.yml'))
    expect(driftIssueTitle('./sites//domains.yml')).toBe('Domain drift in sites/domains.yml')
    expect(driftIssueMarker('a-->b.yml')).not.toContain('-->b')
  })
  it('drift remains while a change is unfixed; an unreadable app with nothing else leaves it unknown', () => {
    expect(state(plan([app([{ action: 'add' }])]))).toBe('drift')
    expect(state(plan([app([])]))).toBe('clean')
    expect(state(plan([app([{ action: 'add', result: { status: 'done' } }])]))).toBe('clean')
    expect(state(plan([app([{ action: 'add', result: { status: 'failed', error: 'x' } }])]))).toBe('drift')
    expect(state(plan([app([], ['unreadable'])]))).toBe('unknown')
    expect(state(plan([app([], ['unreadable']), app([{ action: 'remove' }])]))).toBe('drift')
    expect(state(undefined)).toBe('unknown')
    expect(state(plan([app([])], 'plan'))).toBe('unknown')
  })
})
