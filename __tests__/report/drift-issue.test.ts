import { driftIssueMarker, driftIssueTitle, driftState } from '../../src/report/drift-issue.js'
import type { AppPlan, Change, Plan } from '../../src/plan/model.js'

const app = (changes: Partial<Change>[], errors: string[] = []) => ({ changes, errors }) as unknown as AppPlan
const plan = (apps: AppPlan[], mode: Plan['mode'] = 'drift') => ({ mode, apps }) as unknown as Plan

describe('drift issue', () => {
  it('one manifest written two ways is one issue', () => {
    expect(driftIssueMarker('./domains.yml')).toBe(driftIssueMarker('domains.yml'))
    expect(driftIssueTitle('./sites//domains.yml')).toBe('Domain drift in sites/domains.yml')
    expect(driftIssueMarker('a-->b.yml')).not.toContain('-->b')
  })
  it('drift remains while a change is unfixed; an unreadable app with nothing else leaves it unknown', () => {
    expect(driftState(plan([app([{ action: 'add' }])]))).toBe('drift')
    expect(driftState(plan([app([])]))).toBe('clean')
    expect(driftState(plan([app([{ action: 'add', result: { status: 'done' } }])]))).toBe('clean')
    expect(driftState(plan([app([{ action: 'add', result: { status: 'failed', error: 'x' } }])]))).toBe(
      'drift'
    )
    expect(driftState(plan([app([], ['unreadable'])]))).toBe('unknown')
    expect(driftState(plan([app([], ['unreadable']), app([{ action: 'remove' }])]))).toBe('drift')
    expect(driftState(undefined)).toBe('unknown')
    expect(driftState(plan([app([])], 'plan'))).toBe('unknown')
  })
})
