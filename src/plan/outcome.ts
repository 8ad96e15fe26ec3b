import type { LiveDomain } from '../runcloud/types.js'
import type { AppPlan, Change, Plan } from './model.js'

/** What happened to one change when it was applied. `noop`: it was already so. */
export interface ChangeResult {
  readonly status: 'done' | 'noop' | 'failed' | 'skipped'
  readonly error?: string
  /** The domain as RunCloud confirmed it (an add's new id, an update's answer). */
  readonly live?: LiveDomain
}

/** What the certificate step of one app did. */
export interface SslResult {
  readonly status: 'done' | 'failed' | 'skipped' | 'none-installed'
  /** For people, e.g. "certificate 123 redeployed", or the error. */
  readonly detail: string
  /** Set when the run itself wanted the redeploy (the plan did not): why. */
  readonly why?: string
}

/** What applying one app did: a result per change in the plan's order (absent: not reached), and SSL. */
export interface AppOutcome {
  readonly changes: readonly (ChangeResult | undefined)[]
  readonly ssl?: SslResult
}

/**
 * What applying a plan did, kept apart from the plan so the plan stays the value that was
 * reviewed. Plain data aligned by position with `plan.apps` and each app's `changes` (it is
 * scrubbed and copied with the plan before anything is shown, so object identity cannot be a key).
 */
export interface Outcome {
  readonly apps: readonly (AppOutcome | undefined)[]
}

/** An outcome in which nothing was reached (a writing run with nothing to write). */
export const NOTHING_DONE: Outcome = { apps: [] }

/** One app of a plan with what applying it did. */
export interface AppView {
  readonly app: AppPlan
  readonly changes: readonly { readonly change: Change; readonly result?: ChangeResult }[]
  readonly ssl?: SslResult
}

/** The plan's apps joined with the outcome, for renderers. */
export function appViews(plan: Pick<Plan, 'apps'>, outcome?: Outcome): AppView[] {
  return plan.apps.map((app, i) => {
    const o = outcome?.apps[i]
    return {
      app,
      changes: app.changes.map((change, j) => ({ change, result: o?.changes[j] })),
      ssl: o?.ssl
    }
  })
}

/** Whether anything was applied: a change or a certificate step has a result. */
export function wasApplied(outcome: Outcome | undefined): boolean {
  return outcome?.apps.some(a => a !== undefined && (a.ssl !== undefined || a.changes.some(Boolean))) ?? false
}

/** A failed operation: the `failed` output's item, and a line of the step's error. */
export interface FailedOperation {
  readonly domain: string
  readonly action: string
  readonly error: string
}

/**
 * The failed operations of a run that wrote (apply, or drift with reconcile): apps that could not
 * be read or resolved (`read`), changes that failed or were skipped, certificate steps that failed
 * (`ssl`, named by the app), and, in an apply, primary domains the manifest removes but that are
 * kept (`remove`). A run that wrote nothing (no outcome) has none.
 */
export function failures(plan: Plan, outcome: Outcome | undefined): FailedOperation[] {
  if (!outcome) return []
  const out: FailedOperation[] = []
  for (const { app, changes, ssl } of appViews(plan, outcome)) {
    for (const e of app.errors) out.push({ domain: `${app.server}/${app.app}`, action: 'read', error: e })
    for (const { change, result } of changes)
      if (result?.status === 'failed' || result?.status === 'skipped')
        out.push({ domain: change.domain, action: change.action, error: result.error ?? 'failed' })
    if (ssl?.status === 'failed')
      out.push({ domain: app.label ?? `${app.server}/${app.app}`, action: 'ssl', error: ssl.detail })
    if (plan.mode === 'apply')
      for (const n of app.notes)
        if (n.kind === 'primary-kept') out.push({ domain: n.domain, action: 'remove', error: n.message })
  }
  return out
}

/** Counts of a plan, or of an applied plan, by what happened. */
export interface Counts {
  add: number
  update: number
  remove: number
  failed: number
  skipped: number
  noop: number
  notReached: number
}

/**
 * Before any write, every change counts by its action. Once applied, only changes RunCloud
 * confirmed (`done`) count as added/updated/removed; failed certificate steps count as failed.
 */
export function countChanges(
  plan: Pick<Plan, 'apps'>,
  outcome?: Outcome,
  /** Count as after a write (only `done`), whether or not anything was reached. */
  applied = wasApplied(outcome)
): Counts {
  const k: Counts = { add: 0, update: 0, remove: 0, failed: 0, skipped: 0, noop: 0, notReached: 0 }
  for (const { changes, ssl } of appViews(plan, outcome)) {
    for (const { change, result } of changes) {
      const s = result?.status
      if (s === 'failed') k.failed++
      else if (s === 'skipped') k.skipped++
      else if (s === 'noop') k.noop++
      else if (!applied || s === 'done') k[change.action]++
      else k.notReached++
    }
    if (ssl?.status === 'failed') k.failed++
  }
  return k
}
