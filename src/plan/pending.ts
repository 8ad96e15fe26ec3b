import type { Change, Plan } from './model.js'

/** A change's identity across plans of one manifest: app, action and name. */
export const pendingKey = (app: string, c: Pick<Change, 'action' | 'domain'>): string =>
  `${app}\u0000${c.action}\u0000${c.domain}`

function changeKeys(plan: Pick<Plan, 'apps'>): Set<string> {
  const out = new Set<string>()
  for (const a of plan.apps) for (const c of a.changes) out.add(pendingKey(a.key, c))
  return out
}

/**
 * The changes that come from earlier merges not applied yet: in the manifest change since the
 * last applied manifest (`sinceRecord`, an offline plan of record → head) but not in the pull
 * request's or push's own diff (`ownDiff`, an offline plan of the event's base → head). The plan
 * built with these keys gives them the reason `pending`; changes that are there for other reasons
 * (RunCloud lacks a declared name, settings drifted) keep theirs.
 */
export function pendingChanges(sinceRecord: Pick<Plan, 'apps'>, ownDiff: Pick<Plan, 'apps'>): Set<string> {
  const own = changeKeys(ownDiff)
  return new Set([...changeKeys(sinceRecord)].filter(k => !own.has(k)))
}

/** The plan's warning when it carries changes of earlier merges. */
export function pendingWarning(n: number): string {
  return `${n} change${n === 1 ? '' : 's'} of earlier merges ${n === 1 ? 'was' : 'were'} never applied and ${n === 1 ? 'is' : 'are'} part of this plan (reason: merged earlier, not applied yet).`
}
