import { planFingerprint } from '../src/plan/fingerprint.js'
import type { Add, AppNote, AppPlan, Change, Plan, Remove, SslStep, Update } from '../src/plan/model.js'
import type { ChangeResult, Outcome, SslResult } from '../src/plan/outcome.js'
import type { LiveDomain } from '../src/runcloud/types.js'

/**
 * Plans for report tests, built by hand. A test may give a change a `result` and an app's SSL
 * step a `result` where it builds them; those are not part of a plan (a plan never carries what
 * applying it did), so they are kept aside here and `outcomeOf(plan)` returns them as the
 * `Outcome` that applying the plan would have returned.
 */
const changeResults = new WeakMap<Change, ChangeResult>()
const sslResults = new WeakMap<AppPlan, SslResult>()

type Extra<T> = Partial<Omit<T, 'action'>> & { result?: ChangeResult }

function withResult<T extends Change>(c: T, result: ChangeResult | undefined): T {
  if (result) changeResults.set(c, result)
  return c
}

export function appPlan(
  changes: Change[] = [],
  extra: Partial<Omit<AppPlan, 'ssl'>> & { ssl?: SslStep & { result?: SslResult } } = {}
): AppPlan {
  const { ssl, ...rest } = extra
  const { result, ...step } = ssl ?? { policy: 'redeploy', wanted: false, why: 'no domains added' }
  const app: AppPlan = {
    key: '1/2',
    server: 1,
    app: 2,
    live: 'read',
    liveCount: changes.length,
    exclusive: false,
    changes,
    notes: [],
    safety: { unsafe: false, removals: 0, total: 0, percent: 0 },
    ssl: step,
    errors: [],
    ...rest
  }
  if (result) sslResults.set(app, result)
  return app
}

export function plan(apps: AppPlan[], extra: Partial<Plan> = {}): Plan {
  const offline = extra.offline ?? false
  return {
    mode: 'plan',
    manifest: 'domains.yml',
    base: { description: 'abc1234 (base)' },
    head: { description: 'def5678 (head)' },
    offline,
    apps,
    warnings: [],
    fingerprint: planFingerprint({ apps, offline }),
    ...extra
  }
}

/** The outcome the results given to the factories make, or undefined when none was given. */
export function outcomeOf(p: Pick<Plan, 'apps'>): Outcome | undefined {
  let any = false
  const apps = p.apps.map(app => {
    const changes = app.changes.map(c => changeResults.get(c))
    const ssl = sslResults.get(app)
    if (!ssl && !changes.some(Boolean)) return undefined
    any = true
    return { changes, ...(ssl ? { ssl } : {}) }
  })
  return any ? { apps } : undefined
}

export const add = (domain: string, { result, ...extra }: Extra<Add> = {}): Add =>
  withResult(
    { action: 'add', domain, reason: 'new', settings: { www: true, redirection: 'non-www' }, ...extra },
    result
  )
export const remove = (domain: string, { result, ...extra }: Extra<Remove> = {}): Remove =>
  withResult({ action: 'remove', domain, reason: 'removed', ...extra }, result)
export const update = (domain: string, { result, ...extra }: Extra<Update> = {}): Update =>
  withResult(
    {
      action: 'update',
      domain,
      reason: 'settings',
      settings: { www: false, redirection: 'none' },
      from: { www: true, redirection: 'non-www' },
      ...extra
    },
    result
  )

/**
 * A live domain as the RunCloud API sends it, with internals (`created_at`, …) the reports must
 * never show. Typed as LiveDomain because the client may hand the API's object through as it is.
 */
export const liveDomain = (name: string, id = 7): LiveDomain =>
  ({
    id,
    name,
    type: 'alias',
    www: true,
    redirection: 'non-www',
    created_at: '2024-01-02 03:04:05',
    webApplication_id: 940288
  }) as LiveDomain

export const note = (domain: string, kind: AppNote['kind'], message: string): AppNote => ({
  domain,
  kind,
  message
})
