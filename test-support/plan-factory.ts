import type { AppNote, AppPlan, Change, Plan } from '../src/plan/model.js'

export function appPlan(changes: Change[] = [], extra: Partial<AppPlan> = {}): AppPlan {
  return {
    key: '1/2',
    server: 1,
    app: 2,
    live: 'read',
    liveCount: changes.length,
    exclusive: false,
    changes,
    notes: [],
    safety: { unsafe: false, removals: 0, total: 0, percent: 0 },
    ssl: { policy: 'redeploy', wanted: false, why: 'no domains added' },
    errors: [],
    ...extra
  }
}

export function plan(apps: AppPlan[], extra: Partial<Plan> = {}): Plan {
  return {
    mode: 'plan',
    manifest: 'domains.yml',
    base: { description: 'abc1234 (base)' },
    head: { description: 'def5678 (head)' },
    offline: false,
    apps,
    warnings: [],
    ...extra
  }
}

export const add = (domain: string, extra: Partial<Change> = {}): Change => ({
  action: 'add',
  domain,
  reason: 'new',
  settings: { www: true, redirection: 'non-www' },
  ...extra
})
export const remove = (domain: string, extra: Partial<Change> = {}): Change => ({
  action: 'remove',
  domain,
  reason: 'removed',
  ...extra
})
export const update = (domain: string, extra: Partial<Change> = {}): Change => ({
  action: 'update',
  domain,
  reason: 'settings',
  settings: { www: false, redirection: 'none' },
  from: { www: true, redirection: 'non-www' },
  ...extra
})

/**
 * A live domain as the RunCloud API sends it, with internals (`created_at`, …) the reports must
 * never show. Typed as LiveDomain because the client may hand the API's object through as it is.
 */
export const liveDomain = (name: string, id = 7): NonNullable<Change['live']> =>
  ({
    id,
    name,
    type: 'alias',
    www: true,
    redirection: 'non-www',
    created_at: '2024-01-02 03:04:05',
    webApplication_id: 940288
  }) as NonNullable<Change['live']>

export const note = (domain: string, kind: AppNote['kind'], message: string): AppNote => ({
  domain,
  kind,
  message
})
