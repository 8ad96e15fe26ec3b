import { REASON_TEXT, type Change, type Plan } from '../plan/model.js'

export interface FailedEntry {
  domain: string
  action: string
  error: string
}

/** Whether the plan was applied: any change or certificate has a result. */
export function wasApplied(plan: Plan): boolean {
  return plan.apps.some(a => a.ssl.result !== undefined || a.changes.some(c => c.result !== undefined))
}

/** The plan as the `plan` output: plain data, stable order, no internal objects. */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    mode: plan.mode,
    manifest: plan.manifest,
    base: plan.base,
    head: plan.head,
    offline: plan.offline,
    apps: plan.apps.map(a => ({
      server: a.server,
      app: a.app,
      ...(a.label !== undefined ? { label: a.label } : {}),
      ...(a.serverId !== undefined ? { serverId: a.serverId } : {}),
      ...(a.appId !== undefined ? { appId: a.appId } : {}),
      live: a.live,
      changes: a.changes.map(c => ({
        action: c.action,
        domain: c.domain,
        ...(c.unicode ? { unicode: c.unicode } : {}),
        reason: c.reason,
        reasonText: REASON_TEXT[c.reason],
        ...(c.settings ? { settings: c.settings } : {}),
        ...(c.from ? { from: c.from } : {}),
        ...(c.result ? { result: c.result } : {})
      })),
      notes: a.notes,
      safety: a.safety,
      ssl: a.ssl,
      errors: a.errors
    })),
    warnings: plan.warnings
  }
}

/**
 * The action's outputs (SPEC section 4). Before applying, `added`/`removed`/`updated` list what
 * the plan would do; once applied, what the run did (results `done`; a no-op was already so).
 */
export function computeOutputs(
  plan: Plan,
  opts: { drift?: boolean; failed?: FailedEntry[] } = {}
): Record<string, string> {
  // In apply mode the outputs say what was done, even when nothing was (an unsafe plan refused).
  const applied = plan.mode === 'apply' || wasApplied(plan)
  const names = (action: Change['action']): string[] =>
    plan.apps.flatMap(a =>
      a.changes
        .filter(c => c.action === action && (!applied || c.result?.status === 'done'))
        .map(c => c.domain)
    )
  const failed =
    opts.failed ??
    plan.apps.flatMap(a => [
      ...a.changes
        .filter(c => c.result?.status === 'failed')
        .map(c => ({ domain: c.domain, action: c.action, error: c.result?.error ?? 'failed' })),
      ...(a.ssl.result?.status === 'failed'
        ? [{ domain: a.label ?? `${a.server}/${a.app}`, action: 'ssl', error: a.ssl.result.detail }]
        : [])
    ])
  const out: Record<string, string> = {
    'has-changes': String(plan.apps.some(a => a.changes.length > 0)),
    added: JSON.stringify(names('add')),
    removed: JSON.stringify(names('remove')),
    updated: JSON.stringify(names('update')),
    failed: JSON.stringify(failed),
    plan: JSON.stringify(planJson(plan))
  }
  if (opts.drift !== undefined) out.drift = String(opts.drift)
  return out
}
