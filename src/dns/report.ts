/** How the DNS check's answers read, in the summary, the PR comment, the log and the terminal. */
import type { AppPlan, Change, DnsAnswer } from '../plan/model.js'

/** Names listed in one warning before "and N more". */
const MAX_NAMES = 10

/** One answer, e.g. `✅ points here`, `⚠️ points elsewhere (198.51.100.7)`, `⚠️ no record`. */
export function dnsVerdictText(a: DnsAnswer): string {
  switch (a.verdict) {
    case 'server':
      return '✅ points here'
    case 'elsewhere':
      return `⚠️ points elsewhere (${a.addresses.join(', ')})`
    case 'none':
      return '⚠️ no record'
    default:
      return `❔ lookup failed${a.error ? ` (${a.error})` : ''}`
  }
}

/** A change's DNS cell: the domain's verdict, then its www. name's. Empty when not checked. */
export function dnsText(c: Change): string {
  return dnsOf(c)
    .map(a => `${a.name === c.domain ? '' : 'www: '}${dnsVerdictText(a)}`)
    .join(' · ')
}

/** Whether any change of these apps carries DNS answers (the DNS column is shown only then). */
export function dnsChecked(apps: readonly Pick<AppPlan, 'changes'>[]): boolean {
  return apps.some(a => a.changes.some(c => c.action === 'add' && c.dns !== undefined))
}

/** A change's DNS answers: only adds are looked up. */
const dnsOf = (c: Change): readonly DnsAnswer[] => (c.action === 'add' ? (c.dns ?? []) : [])

/**
 * The warning for an app whose new names do not point at its server: the certificate cannot be
 * issued until they do, unless the name is served through a proxy.
 */
export function dnsWarning(app: AppPlan): string | undefined {
  const off = app.changes.flatMap(dnsOf).filter(a => a.verdict === 'elsewhere' || a.verdict === 'none')
  if (!off.length || !app.serverIp) return undefined
  const listed = off
    .slice(0, MAX_NAMES)
    .map(a => `${a.name} (${a.verdict === 'none' ? 'no record' : `points at ${a.addresses.join(', ')}`})`)
  const more = off.length > MAX_NAMES ? `, and ${off.length - MAX_NAMES} more` : ''
  const where = app.label ? `"${app.label}"` : `server ${app.server} / app ${app.app}`
  const n = off.length
  return (
    `DNS: ${n} new name${n === 1 ? '' : 's'} of ${where} ${n === 1 ? 'does' : 'do'} not point at the server (${app.serverIp}): ${listed.join(', ')}${more}. ` +
    `A certificate cannot be issued for a name until its DNS points at the server; names behind a proxy such as Cloudflare legitimately point elsewhere.`
  )
}

/** The warnings of every app, for the summary and the comment. */
export function dnsWarnings(apps: readonly AppPlan[]): string[] {
  return apps.map(dnsWarning).filter((w): w is string => w !== undefined)
}
