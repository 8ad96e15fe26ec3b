import { planWarnings, REASON_TEXT, type Change, type Plan } from '../plan/model.js'
import {
  appViews,
  failures,
  wasApplied,
  type AppView,
  type ChangeResult,
  type Outcome
} from '../plan/outcome.js'
import type { DomainSettings } from '../runcloud/types.js'

/** Only the two settings, whatever else the object carries (a live API object has more). */
const settingsJson = (s: DomainSettings): DomainSettings => ({ www: s.www, redirection: s.redirection })

function changeJson(c: Change, result: ChangeResult | undefined): Record<string, unknown> {
  const live = result?.live ?? (c.action === 'add' ? undefined : c.live)
  return {
    action: c.action,
    domain: c.domain,
    ...(c.unicode ? { unicode: c.unicode } : {}),
    reason: c.reason,
    reasonText: REASON_TEXT[c.reason],
    ...(c.action !== 'remove' ? { settings: settingsJson(c.settings) } : {}),
    ...(c.action === 'update' ? { from: settingsJson(c.from) } : {}),
    // Of the live domain only its id is useful to a later step; the rest is RunCloud's internals.
    ...(live ? { id: live.id } : {}),
    ...(result
      ? { result: { status: result.status, ...(result.error ? { error: result.error } : {}) } }
      : {}),
    ...(c.action === 'add' && c.dns
      ? {
          dns: c.dns.map(a => ({
            name: a.name,
            verdict: a.verdict,
            addresses: [...a.addresses],
            ...(a.error ? { error: a.error } : {})
          }))
        }
      : {})
  }
}

function appJson({ app: a, changes, ssl }: AppView): Record<string, unknown> {
  return {
    server: a.server,
    app: a.app,
    ...(a.label !== undefined ? { label: a.label } : {}),
    ...(a.serverId !== undefined ? { serverId: a.serverId } : {}),
    ...(a.appId !== undefined ? { appId: a.appId } : {}),
    ...(a.serverIp !== undefined ? { serverIp: a.serverIp } : {}),
    live: a.live,
    ...(a.liveCount !== undefined ? { liveCount: a.liveCount } : {}),
    exclusive: a.exclusive,
    changes: changes.map(({ change, result }) => changeJson(change, result)),
    notes: a.notes.map(n => ({ domain: n.domain, kind: n.kind, message: n.message })),
    safety: {
      unsafe: a.safety.unsafe,
      removals: a.safety.removals,
      total: a.safety.total,
      percent: a.safety.percent,
      ...(a.safety.message ? { message: a.safety.message } : {})
    },
    ssl: {
      policy: a.ssl.policy,
      // A redeploy this run wanted (its adds) though the plan did not says so.
      wanted: a.ssl.wanted || ssl?.why !== undefined,
      why: ssl?.why ?? a.ssl.why,
      ...(ssl ? { result: { status: ssl.status, detail: ssl.detail } } : {})
    },
    errors: [...a.errors]
  }
}

/**
 * The plan as the `plan` output: plain data built field by field (never the internal objects),
 * so its keys come in a fixed order and nothing the API sent beyond what is shown leaks into it.
 * Apps in manifest order, changes in the planner's order.
 */
export function planJson(plan: Plan, outcome?: Outcome): Record<string, unknown> {
  return {
    mode: plan.mode,
    manifest: plan.manifest,
    base: { ...(plan.base.sha ? { sha: plan.base.sha } : {}), description: plan.base.description },
    head: { ...(plan.head.sha ? { sha: plan.head.sha } : {}), description: plan.head.description },
    offline: plan.offline,
    fingerprint: plan.fingerprint,
    apps: appViews(plan, outcome).map(appJson),
    warnings: planWarnings(plan)
  }
}

/** GitHub caps a step's outputs near 1 MB; the plan output stays below with room for the others. */
export const PLAN_OUTPUT_MAX_BYTES = 800_000

/**
 * The `plan` output as JSON, whole when it fits. A huge plan keeps every app and the first
 * changes of each (as many as fit), says per app how many changes were left out, and is marked
 * `"truncated": true`; the job summary and the other outputs still name every change.
 */
export function planOutput(plan: Plan, outcome?: Outcome, maxBytes = PLAN_OUTPUT_MAX_BYTES): string {
  const full = planJson(plan, outcome)
  const whole = JSON.stringify(full)
  if (Buffer.byteLength(whole) <= maxBytes) return whole
  const apps = full.apps as Record<string, unknown>[]
  let limit = Math.max(...apps.map(a => (a.changes as unknown[]).length))
  for (;;) {
    limit = Math.floor(limit / 2)
    const cut = apps.map(a => {
      const changes = a.changes as unknown[]
      if (changes.length <= limit) return { ...a, notes: [] }
      return { ...a, changes: changes.slice(0, limit), changesLeftOut: changes.length - limit, notes: [] }
    })
    const text = JSON.stringify({ ...full, apps: cut, truncated: true })
    if (Buffer.byteLength(text) <= maxBytes) return text
    if (limit === 0)
      return JSON.stringify({ mode: full.mode, manifest: full.manifest, apps: [], truncated: true })
  }
}

/**
 * The action's outputs (README, "Outputs"), each a string as `core.setOutput` takes it.
 *
 * `added` / `removed` / `updated`: before anything is written (plan mode, drift without reconcile)
 * the names the plan would change. Once the run is an apply (or a reconcile that wrote), the names
 * this run actually changed: results `done` only. A `noop` was already so before the run (added by
 * someone else, already gone), so a later step that reacts to "added" does not act on it twice;
 * `failed`/`skipped` were not changed. An apply that was refused (unsafe plan) therefore reports
 * empty lists. Names are ASCII, in plan order (apps as in the manifest, then the planner's order).
 *
 * `failed`: `failures(plan, outcome)`, empty when nothing was written. `drift` is set only when
 * `opts.drift` is given, i.e. in drift mode.
 */
export function computeOutputs(
  plan: Plan,
  outcome?: Outcome,
  opts: { drift?: boolean } = {}
): Record<string, string> {
  const applied = plan.mode === 'apply' || wasApplied(outcome)
  const views = appViews(plan, outcome)
  const names = (action: Change['action']): string[] =>
    views.flatMap(a =>
      a.changes
        .filter(({ change, result }) => change.action === action && (!applied || result?.status === 'done'))
        .map(({ change }) => change.domain)
    )
  const failed = failures(plan, outcome).map(f => ({ domain: f.domain, action: f.action, error: f.error }))
  const out: Record<string, string> = {
    'has-changes': String(plan.apps.some(a => a.changes.length > 0)),
    added: JSON.stringify(names('add')),
    removed: JSON.stringify(names('remove')),
    updated: JSON.stringify(names('update')),
    failed: JSON.stringify(failed),
    plan: planOutput(plan, outcome),
    fingerprint: plan.fingerprint
  }
  if (opts.drift !== undefined) out.drift = String(opts.drift)
  return out
}
