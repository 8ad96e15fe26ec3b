import type { Mode } from './plan/model.js'
import { ACTION_WORDS, type SettingName, type Words } from './words.js'
import { credentialStrings, registerSecret } from './text/secrets.js'

export type SslRedeploy = 'auto' | 'always' | 'never'
export type ReviewedPlan = 'require' | 'warn' | 'off'

/** The inputs of action.yml, read once, validated, typed. Everything downstream uses this. */
export interface Settings {
  mode: Mode
  /** Manifest path relative to the workspace, as the user wrote it (used in messages/annotations). */
  manifest: string
  apiToken?: string
  apiKey?: string
  apiSecret?: string
  /** True when only the legacy v2 key/secret pair was given. */
  legacy: boolean
  serverId?: number
  appId?: number
  apiUrl: string
  baseRef?: string
  githubToken?: string
  comment: boolean
  sslRedeploy: SslRedeploy
  maxRemovalPercent: number
  force: boolean
  reconcile: boolean
  failOnDrift: boolean
  concurrency: number
  /** GitHub environment of the last-applied record (deployments). */
  environment: string
  reviewedPlan: ReviewedPlan
  dnsCheck: boolean
  driftIssue: boolean
}

export const DEFAULT_API_URL_V3 = 'https://manage.runcloud.io/api/v3'
export const DEFAULT_API_URL_V2 = 'https://manage.runcloud.io/api/v2'

/** Every bad input of a run, reported together, before any request is made. */
export class SettingsError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(problems.join('\n'))
    this.name = 'SettingsError'
    this.problems = problems
  }
}

export type InputReader = (name: string) => string

/** What a credential may hold: it goes in an HTTP header. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/**
 * `127.0.0.0/8`, `::1` and `localhost` may be reached over plain http. Not `*.localhost`: whether
 * those resolve to loopback depends on the runner's resolver, and a credential must not bet on it.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost') return true
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h)
  return m !== null && m.slice(1).every(o => Number(o) <= 255)
}

/**
 * Turn raw inputs into settings. `setSecret` is called for each credential the moment it is read,
 * before anything can print it.
 */
export function readSettings(
  input: InputReader,
  setSecret: (s: string) => void = () => {},
  words: Words = ACTION_WORDS
): Settings {
  const problems: string[] = []
  const get = (name: SettingName): string => (input(name) ?? '').trim()
  const the = (name: SettingName): string => words.subject(name)

  /** A RunCloud credential was given but refused: "required" or "go together" would mislead. */
  let refusedCredential = false
  const secret = (name: SettingName): string | undefined => {
    const v = get(name)
    if (!v) return undefined
    setSecret(v)
    registerSecret(v)
    // Sent in a header: anything but visible ASCII is refused here, by name, never by value
    // (a secret pasted with a line break in it would otherwise fail deep inside the HTTP client).
    if (!VISIBLE_ASCII.test(v)) {
      if (name !== 'github-token') refusedCredential = true
      problems.push(
        `${the(name)} must be visible ASCII characters, without spaces or line breaks; the value given has others (its value is not shown). Check the secret for a stray space or line break.`
      )
      return undefined
    }
    return v
  }
  const apiToken = secret('api-token')
  const apiKey = secret('api-key')
  const apiSecret = secret('api-secret')
  const githubToken = secret('github-token')
  // The forms the credentials travel in (Authorization values, key:secret, checkout's
  // x-access-token): masked on the runner and scrubbed wherever the run renders text.
  const read = [apiToken, apiKey, apiSecret, githubToken]
  for (const s of credentialStrings({ apiToken, apiKey, apiSecret, githubToken })) {
    if (read.includes(s)) continue
    registerSecret(s)
    setSecret(s)
  }

  const oneOf = <T extends string>(name: SettingName, allowed: readonly T[], fallback: T): T => {
    const v = get(name)
    if (v === '') return fallback
    if ((allowed as readonly string[]).includes(v)) return v as T
    problems.push(`${the(name)} is '${v}'; it must be one of: ${allowed.join(', ')}.`)
    return fallback
  }
  const bool = (name: SettingName, fallback: boolean): boolean => {
    const v = get(name)
    if (v === '') return fallback
    if (TRUE.includes(v)) return true
    if (FALSE.includes(v)) return false
    problems.push(`${the(name)} is '${v}'; it must be true or false.`)
    return fallback
  }
  const int = (
    name: SettingName,
    fallback: number | undefined,
    min: number,
    max: number
  ): number | undefined => {
    const v = get(name)
    if (v === '') return fallback
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${the(name)} is '${v}'; it must be a whole number from ${min} to ${max}.`)
      return fallback
    }
    return Number(v)
  }

  const mode = oneOf<Mode>('mode', ['plan', 'apply', 'drift'], 'plan')
  const manifest = get('manifest') || 'domains.yml'
  if (manifest.split(/[\\/]/).includes('..') || manifest.startsWith('/')) {
    problems.push(
      `${the('manifest')} is '${manifest}'; it must be a path inside the workspace, like domains.yml.`
    )
  }
  const serverId = int('server-id', undefined, 1, Number.MAX_SAFE_INTEGER)
  const appId = int('app-id', undefined, 1, Number.MAX_SAFE_INTEGER)
  const sslRedeploy = oneOf<SslRedeploy>('ssl-redeploy', ['auto', 'always', 'never'], 'auto')
  const maxRemovalPercent = int('max-removal-percent', 30, 0, 100) ?? 30
  const concurrency = int('concurrency', 4, 1, 64) ?? 4
  const comment = bool('comment', true)
  const force = bool('force', false)
  const reconcile = bool('reconcile', false)
  const failOnDrift = bool('fail-on-drift', true)
  const reviewedPlan = oneOf<ReviewedPlan>('reviewed-plan', ['require', 'warn', 'off'], 'warn')
  const dnsCheck = bool('dns-check', true)
  const driftIssue = bool('drift-issue', false)
  const environment = get('environment') || 'runcloud-domains'
  if (environment.length > 255 || /\p{Cc}/u.test(environment)) {
    problems.push(`${the('environment')} must be a GitHub environment name: at most 255 visible characters.`)
  }
  const baseRef = get('base-ref') || undefined
  if (baseRef !== undefined && !/^(?!-)[\w./@^~{}-]+$/.test(baseRef)) {
    problems.push(`${the('base-ref')} is '${baseRef}'; it must be a commit SHA or a git ref name.`)
  }

  const legacy = !apiToken && !!(apiKey || apiSecret)
  if (legacy && !(apiKey && apiSecret) && !refusedCredential) {
    problems.push(
      `${capital(words.both('api-key', 'api-secret'))} go together; give both, or give ${words.name('api-token')} (API v3) instead.`
    )
  }
  const hasCredentials = !!apiToken || (!!apiKey && !!apiSecret)
  if ((mode === 'apply' || mode === 'drift') && !hasCredentials && !refusedCredential) {
    problems.push(
      `${the('api-token')} is required in ${mode} mode: create an API v3 token in RunCloud (Workspace → Settings → API Management) and ${words.provideToken}.`
    )
  }

  const rawUrl = get('api-url') || (legacy ? DEFAULT_API_URL_V2 : DEFAULT_API_URL_V3)
  let apiUrl = rawUrl.replace(/\/+$/, '')
  const urlProblem = apiUrlProblem(rawUrl, words)
  if (urlProblem) {
    problems.push(urlProblem)
    apiUrl = DEFAULT_API_URL_V3
  }

  if (problems.length) throw new SettingsError(problems)
  return {
    mode,
    manifest,
    apiToken,
    apiKey: legacy ? apiKey : undefined,
    apiSecret: legacy ? apiSecret : undefined,
    legacy,
    serverId,
    appId,
    apiUrl,
    baseRef,
    githubToken,
    comment,
    sslRedeploy,
    maxRemovalPercent,
    force,
    reconcile,
    failOnDrift,
    concurrency,
    environment,
    reviewedPlan,
    dnsCheck,
    driftIssue
  }
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * What is wrong with an `api-url`, never quoting it: a URL may carry a credential (user info, a
 * token in the query), and a value pasted into the wrong input may be one. Only the host of a
 * well-formed URL is named.
 */
export function apiUrlProblem(rawUrl: string, words: Words = ACTION_WORDS): string | undefined {
  const example = `use e.g. ${DEFAULT_API_URL_V3}`
  const it = words.subject('api-url')
  const token = words.name('api-token')
  if (/[\s\p{Cc}]/u.test(rawUrl))
    return `${it} holds spaces, line breaks or control characters (its value is not shown); ${example}.`
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(rawUrl))
    return `${it} must not carry credentials (user info, user:password@); pass them in ${token}. Its value is not shown.`
  if (/[?#]/.test(rawUrl))
    return `${it} must be a base URL without a query (?…) or a fragment (#…); its value is not shown.`
  let u: URL
  try {
    u = new URL(rawUrl)
  } catch {
    return `${it} is not a URL (its value is not shown); ${example}.`
  }
  if (u.username || u.password)
    return `${it} must not carry credentials (user info, user:password@); pass them in ${token}. Its value is not shown.`
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
    return `${it} uses plain http:// for ${u.hostname}; plain http:// is allowed only for a loopback host (127.0.0.1, ::1, localhost). Use https://.`
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return `${it} must be an https:// URL (its value is not shown); ${example}.`
  return undefined
}

export function hasCredentials(s: Settings): boolean {
  return !!s.apiToken || (!!s.apiKey && !!s.apiSecret)
}
