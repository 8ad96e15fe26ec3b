import { planFingerprint } from './fingerprint.js'
import type { AppPlan, DnsAnswer, Plan } from './model.js'

/** What the DNS check found for one app: its server's address, and answers per change index. */
export interface DnsFound {
  readonly serverIp?: string
  readonly answers: ReadonlyMap<number, readonly DnsAnswer[]>
}

/**
 * The plan with the DNS check's answers: a new plan (a plan is never changed), each app's adds
 * carrying their answers and the app its server's address. `found` is aligned with `plan.apps`.
 */
export function withDns(plan: Plan, found: readonly (DnsFound | undefined)[]): Plan {
  const apps = plan.apps.map((app, i): AppPlan => {
    const f = found[i]
    if (!f) return app
    return {
      ...app,
      ...(f.serverIp !== undefined ? { serverIp: f.serverIp } : {}),
      changes: app.changes.map((c, j) => {
        const dns = f.answers.get(j)
        return c.action === 'add' && dns ? { ...c, dns } : c
      })
    }
  })
  return { ...plan, apps }
}

/**
 * The plan with what the run learned of the last-applied record and the reviewed plan: its lines
 * for people, and warnings (a reviewed-plan difference under `reviewed-plan: warn`). A new plan.
 */
export function withRecord(plan: Plan, record: readonly string[], warnings: readonly string[] = []): Plan {
  return {
    ...plan,
    ...(record.length ? { record: [...record] } : {}),
    warnings: [...plan.warnings, ...warnings]
  }
}

/** The plan of a run that plans nothing (superseded, or stopped before planning). */
export function emptyPlan(
  p: Pick<Plan, 'mode' | 'manifest'> & Partial<Pick<Plan, 'base' | 'head' | 'record' | 'offline'>>
): Plan {
  const offline = p.offline ?? false
  return {
    mode: p.mode,
    manifest: p.manifest,
    base: p.base ?? { description: 'not read' },
    head: p.head ?? { description: 'not read' },
    offline,
    apps: [],
    warnings: [],
    fingerprint: planFingerprint({ apps: [], offline }),
    ...(p.record ? { record: p.record } : {})
  }
}
