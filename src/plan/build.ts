import type { AppEntry, DomainEntry, Manifest } from '../manifest/types.js'
import { ACTION_WORDS, type Words } from '../words.js'
import { appKey } from '../manifest/types.js'
import { matchesGlob } from '../manifest/parse.js'
import type { LiveDomain } from '../runcloud/types.js'
import type { SslRedeploy } from '../settings.js'
import {
  describeApp,
  type AppNote,
  type AppPlan,
  type Change,
  type Mode,
  type Plan,
  type SafetyVerdict
} from './model.js'
import { planFingerprint } from './fingerprint.js'
import { pendingKey, pendingWarning } from './pending.js'
import { declaredLiveDomains, plannedSsl } from './ssl-policy.js'

/**
 * Live state of one app as read from RunCloud: its ids and domains; its ids only (an app the change
 * does not touch, resolved for `ssl-redeploy: always`); or why it could not be read or resolved.
 */
export type LiveApp =
  | { serverId: number; appId: number; domains: LiveDomain[] }
  | { serverId: number; appId: number; domains?: undefined }
  | { error: string; serverId?: number; appId?: number }

export interface PlanOptions {
  mode: Mode
  manifest: string
  base: Manifest
  head: Manifest
  baseDescription: string
  headDescription: string
  baseSha?: string
  headSha?: string
  /** Live state by app key; absent = offline. */
  live?: Map<string, LiveApp>
  maxRemovalPercent: number
  sslRedeploy: SslRedeploy
  warnings?: string[]
  /**
   * Keys (`pendingKey`) of changes from earlier merges not applied yet: their reason becomes
   * `pending` (plan/pending.ts).
   */
  pending?: ReadonlySet<string>
  /** The front door's words, for hints that name a setting (default: the action's inputs). */
  words?: Words
}

const sameSettings = (
  a: { www: boolean; redirection: string },
  b: { www: boolean; redirection: string }
): boolean => a.www === b.www && a.redirection === b.redirection

function domainsEqual(a: DomainEntry[], b: DomainEntry[]): boolean {
  if (a.length !== b.length) return false
  const byName = new Map(b.map(d => [d.name, d]))
  return a.every(d => {
    const o = byName.get(d.name)
    return o !== undefined && sameSettings(d, o)
  })
}

/** An app is touched by the change when its domains or their settings differ between base and head. */
export function isTouched(base: AppEntry | undefined, head: AppEntry | undefined): boolean {
  if (!base || !head) return true
  return !domainsEqual(base.domains, head.domains)
}

/** The apps whose live state a run needs: touched ones in plan/apply, every head app in drift. */
export function appsNeedingLiveState(mode: Mode, base: Manifest, head: Manifest): AppEntry[] {
  if (mode === 'drift') return head.apps
  const baseByKey = new Map(base.apps.map(a => [appKey(a), a]))
  const headKeys = new Set(head.apps.map(appKey))
  const out = head.apps.filter(a => isTouched(baseByKey.get(appKey(a)), a))
  for (const a of base.apps) if (!headKeys.has(appKey(a))) out.push(a)
  return out
}

const ignored = (name: string, app: AppEntry | undefined): boolean =>
  !!app && app.ignore.some(g => matchesGlob(name, g))

function safety(
  appLabel: string,
  removals: number,
  total: number,
  maxPercent: number,
  words: Words
): SafetyVerdict {
  const percent = total > 0 ? Math.round((removals / total) * 1000) / 10 : 0
  // Multiplied out, not divided: (7 / 25) * 100 is 28.000000000000004, which would call exactly 28% "more than 28%".
  const unsafe = total >= 10 && removals > 0 && removals * 100 > maxPercent * total
  if (!unsafe) return { unsafe, removals, total, percent }
  return {
    unsafe,
    removals,
    total,
    percent,
    message:
      `Unsafe plan for ${appLabel}: it removes ${removals} of ${total} domains (${percent}%), ` +
      `more than ${words.name('max-removal-percent')} ${maxPercent}%; it is applied only with ${words.turnOn('force')}.`
  }
}

/**
 * (base, head, live) → plan. Pure: no I/O. (docs/architecture.md, "Where each rule lives"):
 * add = in head, not live (offline: not in base); update = in head and live with other settings;
 * remove = in base, not in head, and live (offline: in base). Never removes a name this
 * repository did not declare, the primary domain, or an ignored name. Drift compares head with live.
 */
export function buildPlan(opts: PlanOptions): Plan {
  const baseByKey = new Map(opts.base.apps.map(a => [appKey(a), a]))
  const headKeys = new Set(opts.head.apps.map(appKey))
  const pairs: [AppEntry | undefined, AppEntry | undefined][] = opts.head.apps.map(h => [
    baseByKey.get(appKey(h)),
    h
  ])
  if (opts.mode !== 'drift') {
    for (const b of opts.base.apps) if (!headKeys.has(appKey(b))) pairs.push([b, undefined])
  }
  let pending = 0
  const apps = pairs.map(([base, head]) => {
    const app = planApp(opts, base, head)
    if (!opts.pending?.size) return app
    const changes = app.changes.map(c => {
      const earlier =
        (c.reason === 'new' ||
          c.reason === 'settings' ||
          c.reason === 'removed' ||
          c.reason === 'app-removed') &&
        opts.pending?.has(pendingKey(app.key, c))
      if (!earlier) return c
      pending++
      return { ...c, reason: 'pending' as const }
    })
    return { ...app, changes }
  })
  const changes = { apps, offline: !opts.live }
  return {
    mode: opts.mode,
    manifest: opts.manifest,
    base: { sha: opts.baseSha, description: opts.baseDescription },
    head: { sha: opts.headSha, description: opts.headDescription },
    offline: !opts.live,
    apps,
    warnings: [...(opts.warnings ?? []), ...(pending ? [pendingWarning(pending)] : [])],
    fingerprint: planFingerprint(changes)
  }
}

/** What an app's plan is made of, before its safety verdict and SSL step. */
interface Planned {
  changes: Change[]
  notes: AppNote[]
  total: number
  live: ReadonlyMap<string, LiveDomain>
}

function planApp(opts: PlanOptions, base: AppEntry | undefined, head: AppEntry | undefined): AppPlan {
  const entry = (head ?? base) as AppEntry
  const key = appKey(entry)
  const common = {
    key,
    server: entry.server,
    app: entry.app,
    ...(entry.label !== undefined ? { label: entry.label } : {}),
    exclusive: head?.exclusive ?? false,
    safety: { unsafe: false, removals: 0, total: 0, percent: 0 }
  }
  const live = opts.live?.get(key)
  const ids = live && live.serverId !== undefined ? { serverId: live.serverId } : {}
  const appIds = live && live.appId !== undefined ? { ...ids, appId: live.appId } : ids
  const nothing = { changes: [], notes: [], errors: [] }

  if (live && 'error' in live) {
    // Unresolved, unreadable, or listed twice: an app error the reports show; nothing planned.
    return {
      ...common,
      ...appIds,
      ...nothing,
      live: 'read',
      errors: [live.error],
      ssl: { policy: entry.ssl, wanted: false, why: 'live state unavailable' }
    }
  }
  const touched = opts.mode === 'drift' || isTouched(base, head)
  if (!touched)
    return { ...common, ...appIds, ...nothing, live: 'untouched', ssl: plannedSsl(opts, head, base, 0) }
  if (opts.live && !live) {
    return {
      ...common,
      ...nothing,
      live: 'read',
      errors: [`Live state of ${describeApp(common)} was not read.`],
      ssl: { policy: entry.ssl, wanted: false, why: 'live state unavailable' }
    }
  }

  const planned = live?.domains ? online(opts, base, head, live.domains) : offline(base, head)
  const rank = { add: 0, update: 1, remove: 2 } as const
  // Deterministic order: adds and updates first, then removals (the order they are applied in).
  const changes = planned.changes.sort(
    (a, b) => rank[a.action] - rank[b.action] || a.domain.localeCompare(b.domain)
  )
  const removals = changes.filter(c => c.action === 'remove').length
  const step = plannedSsl(opts, head, base, changes.filter(c => c.action === 'add').length)
  const declaredLive = live?.domains ? declaredLiveDomains(step, opts.mode, head, base, planned.live) : []
  return {
    ...common,
    ...appIds,
    live: live?.domains ? 'read' : 'offline',
    ...(live?.domains ? { liveCount: live.domains.length } : {}),
    changes,
    notes: planned.notes,
    safety: safety(
      describeApp(common),
      removals,
      planned.total,
      opts.maxRemovalPercent,
      opts.words ?? ACTION_WORDS
    ),
    ssl: declaredLive.length ? { ...step, declaredLive } : step,
    errors: []
  }
}

const named = (d: { name: string; unicode?: string }): { domain: string; unicode?: string } =>
  d.unicode ? { domain: d.name, unicode: d.unicode } : { domain: d.name }

const settingsOf = (d: { www: boolean; redirection: DomainEntry['redirection'] }) => ({
  www: d.www,
  redirection: d.redirection
})

/** Offline: the manifest change itself is the plan. */
function offline(base: AppEntry | undefined, head: AppEntry | undefined): Planned {
  const headDomains = head?.domains ?? []
  const baseDomains = base?.domains ?? []
  const headNames = new Set(headDomains.map(d => d.name))
  const baseNames = new Map(baseDomains.map(d => [d.name, d]))
  const changes: Change[] = []
  const notes: AppNote[] = []
  for (const d of headDomains) {
    const b = baseNames.get(d.name)
    if (!b) changes.push({ action: 'add', ...named(d), reason: 'new', settings: settingsOf(d) })
    else if (!sameSettings(b, d))
      changes.push({
        action: 'update',
        ...named(d),
        reason: 'settings',
        settings: settingsOf(d),
        from: settingsOf(b)
      })
  }
  for (const d of baseDomains) {
    if (headNames.has(d.name)) continue
    if (ignored(d.name, head ?? base))
      notes.push({ domain: d.name, kind: 'ignored', message: 'matches an ignore glob; left alone' })
    else changes.push({ action: 'remove', ...named(d), reason: head ? 'removed' : 'app-removed' })
  }
  return { changes, notes, total: baseDomains.length, live: new Map() }
}

/** With live state: head against live for adds and updates; base against head for removals (drift: live). */
function online(
  opts: PlanOptions,
  base: AppEntry | undefined,
  head: AppEntry | undefined,
  domains: LiveDomain[]
): Planned {
  const headDomains = head?.domains ?? []
  const baseDomains = base?.domains ?? []
  const headNames = new Set(headDomains.map(d => d.name))
  const baseNames = new Set(baseDomains.map(d => d.name))
  const liveByName = new Map(domains.map(d => [d.name.toLowerCase().replace(/\.$/, ''), d]))
  const changes: Change[] = []
  const notes: AppNote[] = []

  for (const d of headDomains) {
    const l = liveByName.get(d.name)
    if (!l) {
      const reason = opts.mode === 'drift' || baseNames.has(d.name) ? 'missing' : 'new'
      changes.push({ action: 'add', ...named(d), reason, settings: settingsOf(d) })
    } else if (!sameSettings(l, d)) {
      changes.push({
        action: 'update',
        ...named(d),
        reason: 'settings',
        settings: settingsOf(d),
        from: settingsOf(l),
        live: l
      })
    }
  }

  if (opts.mode === 'drift') {
    for (const l of domains) {
      const name = l.name.toLowerCase().replace(/\.$/, '')
      if (headNames.has(name) || l.type === 'primary' || ignored(name, head)) continue
      if (head?.exclusive) changes.push({ action: 'remove', domain: name, reason: 'unmanaged', live: l })
      else
        notes.push({
          domain: name,
          kind: 'unmanaged',
          message: 'live on RunCloud but not in the manifest (listed for information)'
        })
    }
  } else {
    for (const d of baseDomains) {
      if (headNames.has(d.name)) continue
      const l = liveByName.get(d.name)
      if (!l) continue // already gone: nothing to do
      if (ignored(d.name, head ?? base)) {
        notes.push({ domain: d.name, kind: 'ignored', message: 'matches an ignore glob; left alone' })
      } else if (l.type === 'primary') {
        notes.push({
          domain: d.name,
          kind: 'primary-kept',
          message: `${d.name} is the primary domain of the app and is never removed: make another domain primary in RunCloud first, then remove it from the manifest`
        })
      } else {
        changes.push({ action: 'remove', ...named(d), reason: head ? 'removed' : 'app-removed', live: l })
      }
    }
  }
  return { changes, notes, total: domains.length, live: liveByName }
}
