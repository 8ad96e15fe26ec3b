import { appKey, type AppEntry, type Manifest } from '../manifest/types.js'
import { describeApp } from './model.js'
import type { LiveApp } from './build.js'

/**
 * Manifest entries are keyed by server and app as written, but one web app can be written two
 * ways (by name, by id) and only RunCloud's ids tell. Once the live state is read:
 *
 * - an app the base wrote one way and the head writes another (`app: wordpress` became
 *   `app: 940288`, or the short form became the full form) is one app: the base entry is re-keyed
 *   to the head's, so the rewrite plans nothing instead of removing every domain of the "old" app
 *   and adding them to the "new" one;
 * - two head entries for one web app are each an error naming the other (applying both would
 *   fight over its domains).
 *
 * Returns the base to plan with; `live` is updated in place (the re-keyed base entry's own read is
 * dropped, the duplicates become errors). Apps whose live state was not read are left as they are.
 */
export function alignAppIdentities(base: Manifest, head: Manifest, live: Map<string, LiveApp>): Manifest {
  const idsOf = (app: AppEntry): string | undefined => {
    const l = live.get(appKey(app))
    return l && !('error' in l) ? `${l.serverId}/${l.appId}` : undefined
  }

  const headByIds = new Map<string, AppEntry[]>()
  for (const app of head.apps) {
    const ids = idsOf(app)
    if (ids) headByIds.set(ids, [...(headByIds.get(ids) ?? []), app])
  }
  for (const [ids, apps] of headByIds) {
    if (apps.length < 2) continue
    const [serverId, appId] = ids.split('/').map(Number)
    for (const app of apps) {
      const others = apps.filter(a => a !== app).map(describeApp)
      live.set(appKey(app), {
        error: `${describeApp(app)} is the same web app as ${others.join(' and ')} (server ${serverId} / web app ${appId}); list it once in the manifest`,
        serverId,
        appId
      })
    }
  }

  const baseKeys = new Set(base.apps.map(appKey))
  const headKeys = new Set(head.apps.map(appKey))
  const taken = new Set<string>()
  let changed = false
  const apps = base.apps.map(b => {
    if (headKeys.has(appKey(b))) return b
    const ids = idsOf(b)
    const match = ids ? headByIds.get(ids) : undefined
    const h = match?.length === 1 ? match[0] : undefined
    // Only a head entry that is itself new in this change, once: otherwise the base had the app twice.
    if (!h || baseKeys.has(appKey(h)) || taken.has(appKey(h))) return b
    taken.add(appKey(h))
    live.delete(appKey(b))
    changed = true
    return { ...b, server: h.server, app: h.app }
  })
  return changed ? { ...base, apps } : base
}
