/**
 * The certificate policy, in one place (docs/architecture.md, "Where each rule lives"):
 *
 * - when: once per app, after its domain changes, if the manifest change adds domains (planned),
 *   or this run added any (`ssl-redeploy: auto`); always (`always`); never (`never`, or
 *   `ssl: none` in the manifest). Drift plans none; a reconcile that adds domains does.
 * - what a re-run does: domains a failed run already added are live, so they are no longer adds;
 *   the change still declares them new, so the redeploy is still wanted, and advanced SSL redeploys
 *   exactly those domains' certificates (`declaredLive`). Under `auto`, when every add failed
 *   there is nothing new to cover, and no certificate is asked for again.
 * - basic vs advanced: basic SSL has one certificate per app, redeployed as it is; advanced SSL
 *   has one per domain: redeploy it, install one where none exists and AutoSSL is off, and leave
 *   the rest to AutoSSL. No certificate at all is a warning, not a failure.
 *
 * Pure: apply/ssl.ts performs what these functions decide.
 */
import type { AppEntry } from '../manifest/types.js'
import type { LiveDomain } from '../runcloud/types.js'
import type { SslRedeploy } from '../settings.js'
import type { AppPlan, Mode, SslStep } from './model.js'
import type { ChangeResult } from './outcome.js'

export const DNS_HINT =
  'A certificate can only be issued once the domain’s DNS points at the server; check the DNS records, then run again.'

/** The step as planned, from the manifest's `ssl`, the `ssl-redeploy` input and the change. */
export function plannedSsl(
  run: { mode: Mode; sslRedeploy: SslRedeploy },
  head: AppEntry | undefined,
  base: AppEntry | undefined,
  adds: number
): SslStep {
  const policy = head?.ssl ?? base?.ssl ?? 'redeploy'
  if (!head) return { policy, wanted: false, why: 'app removed from the manifest' }
  if (policy === 'none') return { policy, wanted: false, why: 'ssl: none in the manifest' }
  if (run.sslRedeploy === 'never') return { policy, wanted: false, why: 'ssl-redeploy: never' }
  if (run.sslRedeploy === 'always') return { policy, wanted: true, why: 'ssl-redeploy: always' }
  if (run.mode === 'drift') {
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
 * Advanced SSL works per domain: names the change declares new that are live already (a re-run
 * after DNS was fixed) get their certificates redeployed too. Not for an app new to the manifest
 * (no base entry): that adopts what is live (an exported manifest), and would ask for a
 * certificate per domain.
 */
export function declaredLiveDomains(
  step: SslStep,
  mode: Mode,
  head: AppEntry | undefined,
  base: AppEntry | undefined,
  live: ReadonlyMap<string, LiveDomain>
): LiveDomain[] {
  if (!step.wanted || mode === 'drift' || !base || !head) return []
  const baseNames = new Set(base.domains.map(d => d.name))
  return head.domains
    .filter(d => !baseNames.has(d.name))
    .map(d => live.get(d.name))
    .filter((l): l is LiveDomain => l !== undefined)
}

/** What to do about an app's certificate once its changes ran. */
export type SslAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'skip'; readonly detail: string }
  | {
      readonly kind: 'redeploy'
      /** Set when the plan did not want it and this run's adds do. */
      readonly why?: string
      /** Advanced SSL: the domains whose certificates to redeploy (or install). */
      readonly targets: readonly LiveDomain[]
      /** `ssl-redeploy: always` with no target: every domain of an advanced-SSL app. */
      readonly everyDomain: boolean
    }

export function sslAfterChanges(
  app: AppPlan,
  results: readonly (ChangeResult | undefined)[],
  sslRedeploy: SslRedeploy
): SslAction {
  const adds = app.changes.flatMap((c, i) => (c.action === 'add' ? [results[i]] : []))
  const addedNow = adds.some(r => r?.status === 'done' && r.live !== undefined)
  const wanted = app.ssl.policy !== 'none' && (app.ssl.wanted || (addedNow && sslRedeploy !== 'never'))
  if (!wanted) return { kind: 'none' }
  const everyAddFailed =
    adds.length > 0 && adds.every(r => r?.status === 'failed') && !app.ssl.declaredLive?.length
  // Nothing new to cover: a redeploy would only ask for the same certificate again.
  if (sslRedeploy === 'auto' && everyAddFailed)
    return { kind: 'skip', detail: 'every add failed, so no certificate was redeployed' }
  const targets = [
    ...adds.flatMap(r => (r?.live && r.status !== 'failed' ? [r.live] : [])),
    ...(app.ssl.declaredLive ?? [])
  ]
  return {
    kind: 'redeploy',
    ...(app.ssl.wanted ? {} : { why: 'domains added by this run' }),
    targets,
    everyDomain: sslRedeploy === 'always'
  }
}

/** Advanced SSL, per domain: redeploy its certificate, install one, or leave it to AutoSSL. */
export function advancedStep(hasCertificate: boolean, autoSsl: boolean): 'redeploy' | 'install' | 'autossl' {
  if (hasCertificate) return 'redeploy'
  return autoSsl ? 'autossl' : 'install'
}

/** The warning when a basic-SSL app has no certificate to redeploy. */
export function noCertificateWarning(app: Pick<AppPlan, 'label' | 'app'>): string {
  return `No SSL certificate is installed on ${app.label ?? `app ${app.app}`}; nothing to redeploy. Install one in RunCloud (Web Application → SSL/TLS).`
}
