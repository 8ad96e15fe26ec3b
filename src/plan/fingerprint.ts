import { createHash } from 'node:crypto'
import type { ChangeAction, Plan } from './model.js'

/** zlib, loaded on first use: only a run that writes or reads a plan comment packs entries. */
const zlib = () => process.getBuiltinModule('node:zlib')

/**
 * One change as the fingerprint sees it: the app as written in the manifest, the ASCII name, the
 * action and, for adds and updates, the target settings. Reasons, results, live counts and SSL
 * steps are left out, so a plan and its apply (or a plan shown yesterday and today) can be compared.
 */
export interface FingerprintEntry {
  server: number | string
  app: number | string
  domain: string
  action: ChangeAction
  www?: boolean
  redirection?: string
}

/** JSON with object keys sorted at every level: one text for one value, whatever built it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    const keys = Object.keys(obj)
      .filter(k => obj[k] !== undefined)
      .sort()
    return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The plan's changes as fingerprint entries, sorted by their canonical text. */
export function fingerprintEntries(plan: Pick<Plan, 'apps'>): FingerprintEntry[] {
  const entries: FingerprintEntry[] = []
  for (const app of plan.apps) {
    for (const c of app.changes) {
      const e: FingerprintEntry = { server: app.server, app: app.app, domain: c.domain, action: c.action }
      if (c.action !== 'remove' && c.settings) {
        e.www = c.settings.www
        e.redirection = c.settings.redirection
      }
      entries.push(e)
    }
  }
  return sortEntries(entries)
}

function sortEntries(entries: FingerprintEntry[]): FingerprintEntry[] {
  return entries
    .map(e => [canonicalJson(e), e] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e)
}

function digest(entries: FingerprintEntry[], offline: boolean): string {
  return createHash('sha256')
    .update(canonicalJson({ changes: sortEntries(entries), offline }))
    .digest('hex')
}

/** SHA-256 (hex) of the canonical JSON of the sorted changes, plus whether the plan was offline. */
export function planFingerprint(plan: Pick<Plan, 'apps' | 'offline'>): string {
  return digest(fingerprintEntries(plan), plan.offline)
}

/** What people see: the first 12 characters. */
export const shortFingerprint = (fingerprint: string): string => fingerprint.slice(0, 12)

/** How a change is named in a comparison: `add example.com (server 1 / app 2, www on, redirect non-www)`. */
export function describeEntry(e: FingerprintEntry): string {
  const settings =
    e.www !== undefined ? `, www ${e.www ? 'on' : 'off'}, redirect ${e.redirection ?? 'none'}` : ''
  return `${e.action} ${e.domain} (server ${e.server} / app ${e.app}${settings})`
}

/** The changes in one list and not the other, named for people. */
export function compareEntries(
  ours: FingerprintEntry[],
  theirs: FingerprintEntry[]
): { onlyOurs: string[]; onlyTheirs: string[] } {
  const a = new Set(ours.map(canonicalJson))
  const b = new Set(theirs.map(canonicalJson))
  return {
    onlyOurs: ours.filter(e => !b.has(canonicalJson(e))).map(describeEntry),
    onlyTheirs: theirs.filter(e => !a.has(canonicalJson(e))).map(describeEntry)
  }
}

/**
 * The entries packed for a hidden comment line (deflated, base64url), so that a later apply can
 * say which changes differ and not only that the fingerprints do. Undefined when it would be
 * larger than `maxChars` (a huge plan): the fingerprint alone is carried then.
 */
export function packEntries(entries: FingerprintEntry[], maxChars = 16_000): string | undefined {
  const packed = zlib()
    .deflateRawSync(Buffer.from(canonicalJson(entries)))
    .toString('base64url')
  return packed.length <= maxChars ? packed : undefined
}

const ENTRY_KEYS = new Set(['server', 'app', 'domain', 'action', 'www', 'redirection'])

function isEntry(v: unknown): v is FingerprintEntry {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const o = v as Record<string, unknown>
  return (
    Object.keys(o).every(k => ENTRY_KEYS.has(k)) &&
    (typeof o.server === 'number' || typeof o.server === 'string') &&
    (typeof o.app === 'number' || typeof o.app === 'string') &&
    typeof o.domain === 'string' &&
    (o.action === 'add' || o.action === 'update' || o.action === 'remove') &&
    (o.www === undefined || typeof o.www === 'boolean') &&
    (o.redirection === undefined || typeof o.redirection === 'string')
  )
}

/**
 * Unpack what `packEntries` made; undefined when it is not that, or when it does not hash to the
 * fingerprint it travels with (the list is only believed when the fingerprint vouches for it).
 */
export function unpackEntries(
  packed: string,
  fingerprint: string,
  offline: boolean
): FingerprintEntry[] | undefined {
  try {
    const text = zlib().inflateRawSync(Buffer.from(packed, 'base64url'), { maxOutputLength: 8 * 1024 * 1024 })
    const value: unknown = JSON.parse(text.toString('utf8'))
    if (!Array.isArray(value) || !value.every(isEntry)) return undefined
    return digest(value, offline) === fingerprint ? value : undefined
  } catch {
    return undefined
  }
}
