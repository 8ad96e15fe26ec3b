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
  type SafetyVerdict,
  type SslStep
} from './model.js'

/** Live state of one app as read from RunCloud, or why it could not be read. */
export type LiveApp =
  | { serverId: number; appId: number; domains: LiveDomain[] }
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
  /** Resolved ids of apps whose live state was not needed (for `ssl-redeploy: always`). */
  ids?: Map<string, { serverId: number; appId: number }>
  warnings?: string[]
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

function change(
  action: Change['action'],
  entry: { name: string; unicode?: string },
  reason: Change['reason'],
  extra: Partial<Change> = {}
): Change {
  const c: Change = { action, domain: entry.name, reason, ...extra }
  if (entry.unicode) c.unicode = entry.unicode
  return c
}

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
  const verdict: SafetyVerdict = { unsafe, removals, total, percent }
  if (unsafe) {
    verdict.message =
      `Unsafe plan for ${appLabel}: it removes ${removals} of ${total} domains (${percent}%), ` +
      `more than ${words.name('max-removal-percent')} ${maxPercent}%; it is applied only with ${words.turnOn('force')}.`
  }
  return verdict
}

function sslStep(
  opts: PlanOptions,
  head: AppEntry | undefined,
  base: AppEntry | undefined,
  adds: number
): SslStep {
  const policy = head?.ssl ?? base?.ssl ?? 'redeploy'
  if (!head) return { policy, wanted: false, why: 'app removed from the manifest' }
  if (policy === 'none') return { policy, wanted: false, why: 'ssl: none in the manifest' }
  if (opts.sslRedeploy === 'never') return { policy, wanted: false, why: 'ssl-redeploy: never' }
  if (opts.sslRedeploy === 'always') return { policy, wanted: true, why: 'ssl-redeploy: always' }
  if (opts.mode === 'drift') {
    return {
      policy,
      wanted: false,
      why: adds > 0 ? 'after domains are added by reconcile' : 'no domains added'
    }
  }
  const baseNames = new Set(base?.domains.map(d => d.name) ?? [])
  const declaredNew = head.domains.some(d => !baseNames.has(d.name))
  if (adds > 0) return { policy, wanted: true, why: 'domains added to the app' }
  if (declaredNew) return { policy, wanted: true, why: 'domains new in this change, already live' }
  return { policy, wanted: false, why: 'no domains added' }
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
  const apps = pairs.map(([base, head]) => planApp(opts, base, head))
  return {
    mode: opts.mode,
    manifest: opts.manifest,
    base: { sha: opts.baseSha, description: opts.baseDescription },
    head: { sha: opts.headSha, description: opts.headDescription },
    offline: !opts.live,
    apps,
    warnings: [...(opts.warnings ?? [])]
  }
}

function planApp(opts: PlanOptions, base: AppEntry | undefined, head: AppEntry | undefined): AppPlan {
  const entry = (head ?? base) as AppEntry
  const key = appKey(entry)
  const plan: AppPlan = {
    key,
    server: entry.server,
    app: entry.app,
    live: 'untouched',
    exclusive: head?.exclusive ?? false,
    changes: [],
    notes: [],
    safety: { unsafe: false, removals: 0, total: 0, percent: 0 },
    ssl: { policy: entry.ssl, wanted: false, why: '' },
    errors: []
  }
  if (entry.label !== undefined) plan.label = entry.label
  const ids = opts.ids?.get(key)
  if (ids) Object.assign(plan, ids)

  const touched = opts.mode === 'drift' || isTouched(base, head)
  const live = opts.live?.get(key)
  const headDomains = head?.domains ?? []
  const baseDomains = base?.domains ?? []
  const headNames = new Map(headDomains.map(d => [d.name, d]))
  const baseNames = new Map(baseDomains.map(d => [d.name, d]))
  const removeReason = head ? 'removed' : 'app-removed'

  if (!touched) {
    plan.ssl = sslStep(opts, head, base, 0)
    return plan
  }

  if (!opts.live) {
    // Offline: the manifest change itself is the plan.
    plan.live = 'offline'
    for (const d of headDomains) {
      const b = baseNames.get(d.name)
      const settings = { www: d.www, redirection: d.redirection }
      if (!b) plan.changes.push(change('add', d, 'new', { settings }))
      else if (!sameSettings(b, d))
        plan.changes.push(
          change('update', d, 'settings', { settings, from: { www: b.www, redirection: b.redirection } })
        )
    }
    for (const d of baseDomains) {
      if (headNames.has(d.name)) continue
      if (ignored(d.name, head ?? base))
        plan.notes.push({ domain: d.name, kind: 'ignored', message: 'matches an ignore glob; left alone' })
      else plan.changes.push(change('remove', d, removeReason))
    }
    finish(plan, opts, base, head, baseDomains.length)
    return plan
  }

  if (!live || 'error' in live) {
    plan.live = 'read'
    if (live?.serverId !== undefined) plan.serverId = live.serverId
    if (live?.appId !== undefined) plan.appId = live.appId
    plan.errors.push(live ? live.error : `Live state of ${describeApp(plan)} was not read.`)
    plan.ssl = { policy: entry.ssl, wanted: false, why: 'live state unavailable' }
    return plan
  }

  plan.live = 'read'
  plan.serverId = live.serverId
  plan.appId = live.appId
  plan.liveCount = live.domains.length
  const liveByName = new Map(live.domains.map(d => [d.name.toLowerCase().replace(/\.$/, ''), d]))
  const notes: AppNote[] = plan.notes

  for (const d of headDomains) {
    const l = liveByName.get(d.name)
    const settings = { www: d.www, redirection: d.redirection }
    if (!l) {
      const reason = opts.mode === 'drift' || baseNames.has(d.name) ? 'missing' : 'new'
      plan.changes.push(change('add', d, reason, { settings }))
    } else if (!sameSettings(l, d)) {
      plan.changes.push(
        change('update', d, 'settings', {
          settings,
          from: { www: l.www, redirection: l.redirection },
          live: l
        })
      )
    }
  }

  if (opts.mode === 'drift') {
    for (const l of live.domains) {
      const name = l.name.toLowerCase().replace(/\.$/, '')
      if (headNames.has(name) || l.type === 'primary' || ignored(name, head)) continue
      if (head?.exclusive) plan.changes.push(change('remove', { name }, 'unmanaged', { live: l }))
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
        plan.changes.push(change('remove', d, removeReason, { live: l }))
      }
    }
  }
  finish(plan, opts, base, head, live.domains.length)
  // Advanced SSL works per domain: names the change declares that are live already (a re-run after
  // DNS was fixed) get their certificates redeployed too. Not for an app new to the manifest: that
  // adopts what is live (an exported manifest), and would ask for a certificate per domain.
  if (plan.ssl.wanted && opts.mode !== 'drift' && base) {
    const declaredLive = headDomains
      .filter(d => !baseNames.has(d.name))
      .map(d => liveByName.get(d.name))
      .filter((l): l is LiveDomain => l !== undefined)
    if (declaredLive.length) plan.ssl.declaredLive = declaredLive
  }
  return plan
}

function finish(
  plan: AppPlan,
  opts: PlanOptions,
  base: AppEntry | undefined,
  head: AppEntry | undefined,
  total: number
): void {
  const removals = plan.changes.filter(c => c.action === 'remove').length
  plan.safety = safety(describeApp(plan), removals, total, opts.maxRemovalPercent, opts.words ?? ACTION_WORDS)
  plan.ssl = sslStep(opts, head, base, plan.changes.filter(c => c.action === 'add').length)
  // Deterministic order: adds and updates first, then removals (the order they are applied in).
  const rank = { add: 0, update: 1, remove: 2 } as const
  plan.changes.sort((a, b) => rank[a.action] - rank[b.action] || a.domain.localeCompare(b.domain))
}
