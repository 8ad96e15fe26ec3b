import type { Plan } from './model.js'

const key = (app: string, action: string, domain: string): string => `${app}\u0000${action}\u0000${domain}`

function changeKeys(plan: Plan): Set<string> {
  const out = new Set<string>()
  for (const a of plan.apps) for (const c of a.changes) out.add(key(a.key, c.action, c.domain))
  return out
}

/**
 * Mark the changes that come from earlier merges not applied yet: in the manifest change since
 * the last applied manifest (`sinceRecord`, an offline plan of record → head) but not in the
 * pull request's or push's own diff (`ownDiff`, an offline plan of the event's base → head).
 * Changes that are there for other reasons (RunCloud lacks a declared name, settings drifted) keep
 * theirs. Returns how many were marked.
 */
export function markPending(plan: Plan, sinceRecord: Plan, ownDiff: Plan): number {
  const recorded = changeKeys(sinceRecord)
  const own = changeKeys(ownDiff)
  let marked = 0
  for (const a of plan.apps) {
    for (const c of a.changes) {
      if (
        c.reason !== 'new' &&
        c.reason !== 'settings' &&
        c.reason !== 'removed' &&
        c.reason !== 'app-removed'
      )
        continue
      const k = key(a.key, c.action, c.domain)
      if (recorded.has(k) && !own.has(k)) {
        c.reason = 'pending'
        marked++
      }
    }
  }
  return marked
}
