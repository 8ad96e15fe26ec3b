import type { Redirection, SslPolicy } from '../manifest/types.js'
import type { DomainSettings, LiveDomain } from '../runcloud/types.js'

export type Mode = 'plan' | 'apply' | 'drift'

export type ChangeAction = 'add' | 'update' | 'remove'

/**
 * Why a change is in the plan. Plan/apply: `new`, `settings`, `removed`, `app-removed`, and
 * `missing` (declared in base and head but not live), `pending` (in the change since the last
 * applied manifest, but not in this pull request's or push's own diff). Drift: `missing`,
 * `settings`, `unmanaged`.
 */
export type ChangeReason =
  'new' | 'missing' | 'settings' | 'removed' | 'app-removed' | 'unmanaged' | 'pending'

export const REASON_TEXT: Record<ChangeReason, string> = {
  new: 'new in this change',
  missing: 'missing on RunCloud',
  settings: 'settings differ',
  removed: 'removed from the manifest',
  'app-removed': 'app removed from the manifest',
  unmanaged: 'unmanaged in an exclusive app',
  pending: 'merged earlier, not applied yet'
}

/** What happened to one change when it was applied. `noop`: it was already so. */
export interface ChangeResult {
  status: 'done' | 'noop' | 'failed' | 'skipped'
  error?: string
}

/**
 * Where a name to be added points, by the DNS check: at the app's server, elsewhere, nowhere, or
 * unknown (the lookup failed, or the server's address could not be read).
 */
export interface DnsAnswer {
  /** The name looked up (ASCII): the domain itself, or its www. name. */
  name: string
  verdict: 'server' | 'elsewhere' | 'none' | 'failed'
  /** The A and AAAA addresses found. */
  addresses: string[]
  /** Why there is no verdict (`failed`). */
  error?: string
}

export interface Change {
  action: ChangeAction
  /** ASCII (punycode) name. */
  domain: string
  /** Unicode form, only when it differs from `domain`. */
  unicode?: string
  reason: ChangeReason
  /** Target settings (add, update). */
  settings?: DomainSettings
  /** Settings as they are live (update). */
  from?: DomainSettings
  /** The live domain (update, remove), when live state was read. */
  live?: LiveDomain
  result?: ChangeResult
  /** Adds, when the DNS check ran: the domain's answer, then its www. name's when www is on. */
  dns?: DnsAnswer[]
}

/** Something about a domain worth showing that is not a change. */
export interface AppNote {
  domain: string
  kind: 'unmanaged' | 'primary-kept' | 'ignored'
  message: string
}

export interface SafetyVerdict {
  unsafe: boolean
  removals: number
  /** Domains the percentage is taken of: live domains, or (offline) the base manifest's. */
  total: number
  percent: number
  /** Set when unsafe: names the app, count and percentage. */
  message?: string
}

export interface SslStep {
  policy: SslPolicy
  /** Whether a redeploy is wanted, decided at plan time (the run may add more reasons). */
  wanted: boolean
  why: string
  /**
   * Advanced SSL: domains the manifest change adds that were already live (so no add change
   * carries them); their certificates are redeployed with those of the domains the run adds.
   */
  declaredLive?: LiveDomain[]
  result?: {
    status: 'done' | 'failed' | 'skipped' | 'none-installed'
    /** Human-readable, e.g. "basic certificate 123 redeployed" or the error. */
    detail: string
  }
}

export interface AppPlan {
  key: string
  /** As written in the manifest. */
  server: number | string
  app: number | string
  label?: string
  /** Resolved ids, once resolved (names go through the API). */
  serverId?: number
  appId?: number
  /** The server's address (`ipAddress`), when the DNS check read it. */
  serverIp?: string
  /** Whether live state was read, not needed (app untouched), or unavailable (offline). */
  live: 'read' | 'offline' | 'untouched'
  liveCount?: number
  exclusive: boolean
  changes: Change[]
  notes: AppNote[]
  safety: SafetyVerdict
  ssl: SslStep
  /** Errors for this app that stop it from being planned or applied (unresolvable name, list failure). */
  errors: string[]
}

export interface Plan {
  mode: Mode
  manifest: string
  base: { sha?: string; description: string }
  head: { sha?: string; description: string }
  offline: boolean
  apps: AppPlan[]
  warnings: string[]
  /** SHA-256 of the plan's changes (see plan/fingerprint); set once the plan is built. */
  fingerprint?: string
  /** What the run knows about the last-applied record and the reviewed plan, one line each, for people. */
  record?: string[]
}

export interface TargetSettings {
  www: boolean
  redirection: Redirection
}

export function planHasChanges(plan: Plan): boolean {
  return plan.apps.some(a => a.changes.length > 0)
}

export function isUnsafe(plan: Plan): boolean {
  return plan.apps.some(a => a.safety.unsafe)
}

/** How an app is named for people: its label, then where it is. */
export function describeApp(app: { label?: string; server: number | string; app: number | string }): string {
  const where = `server ${app.server} / app ${app.app}`
  return app.label ? `"${app.label}" (${where})` : where
}

export const OFFLINE_WARNING =
  'No RunCloud credentials: this plan is offline, computed from the manifest change alone (base → head), without RunCloud’s live state.'

/**
 * Every warning of a plan once, derived from the plan itself so no renderer guesses from text: what
 * planning found (legacy API, deleted manifest…), the offline note, each unsafe verdict, and in a
 * plan run the primary domains that are kept (an apply reports those as failed operations).
 */
export function planWarnings(plan: Plan): string[] {
  const out = new Set(plan.warnings)
  if (plan.offline) out.add(OFFLINE_WARNING)
  for (const a of plan.apps) if (a.safety.unsafe && a.safety.message) out.add(a.safety.message)
  if (plan.mode === 'plan')
    for (const a of plan.apps) for (const n of a.notes) if (n.kind === 'primary-kept') out.add(n.message)
  return [...out]
}
