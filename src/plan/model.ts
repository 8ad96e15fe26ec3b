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

/**
 * Where a name to be added points, by the DNS check: at the app's server, elsewhere, nowhere, or
 * unknown (the lookup failed, or the server's address could not be read).
 */
export interface DnsAnswer {
  /** The name looked up (ASCII): the domain itself, or its www. name. */
  readonly name: string
  readonly verdict: 'server' | 'elsewhere' | 'none' | 'failed'
  /** The A and AAAA addresses found. */
  readonly addresses: readonly string[]
  /** Why there is no verdict (`failed`). */
  readonly error?: string
}

interface ChangeCommon {
  /** ASCII (punycode) name. */
  readonly domain: string
  /** Unicode form, only when it differs from `domain`. */
  readonly unicode?: string
  readonly reason: ChangeReason
}

/** A name to add, with the settings it gets. */
export interface Add extends ChangeCommon {
  readonly action: 'add'
  readonly settings: DomainSettings
  /** When the DNS check ran: the domain's answer, then its www. name's when www is on. */
  readonly dns?: readonly DnsAnswer[]
}

/** A name whose settings change from `from` (live, or the base manifest's offline) to `settings`. */
export interface Update extends ChangeCommon {
  readonly action: 'update'
  readonly settings: DomainSettings
  readonly from: DomainSettings
  /** The live domain; absent only in an offline plan, which is never applied. */
  readonly live?: LiveDomain
}

/** A name to remove. */
export interface Remove extends ChangeCommon {
  readonly action: 'remove'
  /** The live domain; absent only in an offline plan, which is never applied. */
  readonly live?: LiveDomain
}

export type Change = Add | Update | Remove

/** Something about a domain worth showing that is not a change. */
export interface AppNote {
  readonly domain: string
  readonly kind: 'unmanaged' | 'primary-kept' | 'ignored'
  readonly message: string
}

export interface SafetyVerdict {
  readonly unsafe: boolean
  readonly removals: number
  /** Domains the percentage is taken of: live domains, or (offline) the base manifest's. */
  readonly total: number
  readonly percent: number
  /** Set when unsafe: names the app, count and percentage. */
  readonly message?: string
}

/** The certificate step as planned (plan/ssl-policy.ts decides it; the run may add a reason). */
export interface SslStep {
  readonly policy: SslPolicy
  /** Whether a redeploy is wanted, decided at plan time. */
  readonly wanted: boolean
  readonly why: string
  /**
   * Advanced SSL: domains the manifest change adds that were already live (so no add change
   * carries them); their certificates are redeployed with those of the domains the run adds.
   */
  readonly declaredLive?: readonly LiveDomain[]
}

export interface AppPlan {
  readonly key: string
  /** As written in the manifest. */
  readonly server: number | string
  readonly app: number | string
  readonly label?: string
  /** Resolved ids, once resolved (names go through the API). */
  readonly serverId?: number
  readonly appId?: number
  /** The server's address (`ipAddress`), when the DNS check read it. */
  readonly serverIp?: string
  /** Whether live state was read, not needed (app untouched), or unavailable (offline). */
  readonly live: 'read' | 'offline' | 'untouched'
  readonly liveCount?: number
  readonly exclusive: boolean
  /** In the order they are applied: adds and updates, then removals, each by name. */
  readonly changes: readonly Change[]
  readonly notes: readonly AppNote[]
  readonly safety: SafetyVerdict
  readonly ssl: SslStep
  /**
   * Errors that stop this app from being planned or applied: it could not be resolved, its
   * domains could not be listed, or it is listed twice.
   */
  readonly errors: readonly string[]
}

/**
 * The plan: a value built by `buildPlan` (plan/build.ts) and never changed afterwards. Facts
 * learned later (the DNS check's answers, the last-applied record) make a new plan through
 * plan/annotate.ts; what applying it did is an `Outcome` (plan/outcome.ts), kept apart.
 */
export interface Plan {
  readonly mode: Mode
  readonly manifest: string
  readonly base: { readonly sha?: string; readonly description: string }
  readonly head: { readonly sha?: string; readonly description: string }
  readonly offline: boolean
  readonly apps: readonly AppPlan[]
  /** What planning found worth a warning (legacy API, deleted manifest, earlier merges…). */
  readonly warnings: readonly string[]
  /** SHA-256 of the plan's changes (plan/fingerprint.ts). */
  readonly fingerprint: string
  /** What the run knows about the last-applied record and the reviewed plan, one line each, for people. */
  readonly record?: readonly string[]
}

export interface TargetSettings {
  www: boolean
  redirection: Redirection
}

export function planHasChanges(plan: Pick<Plan, 'apps'>): boolean {
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
