import { domainToASCII, domainToUnicode } from 'node:url'
import { isIP } from 'node:net'

export { matchesGlob } from './glob.js'

export type Normalised = { ascii: string; unicode?: string } | { error: string; hint?: string }

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** Validity of an ASCII name per the README's "The manifest"; returns the reason when invalid. */
export function domainProblem(ascii: string): string | undefined {
  if (ascii.length > 253) return `is ${ascii.length} characters long; a domain name has at most 253`
  const labels = ascii.split('.')
  if (labels.length < 2) return 'needs at least two labels (like example.com)'
  for (const label of labels) {
    if (label.length === 0) return 'has an empty label (two dots in a row, or a leading dot)'
    if (label.length > 63)
      return `has a label of ${label.length} characters (${label.slice(0, 12)}…); a label has at most 63`
    if (!LABEL.test(label)) {
      if (label.startsWith('-') || label.endsWith('-'))
        return `has a label that starts or ends with a hyphen (${label})`
      return `has a label with characters other than letters, digits and hyphens (${label})`
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1] as string)) return 'has an all-digit top-level label'
  return undefined
}

/** A valid name of letters, digits, hyphens and dots (one trailing dot allowed), any case. */
const PLAIN_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i

/**
 * The ASCII fast path: a plain name that is valid as written needs no IDNA processing, which
 * url.domainToASCII would confirm by giving it back lower-cased. Anything else (IDN, punycode
 * `xn--` labels, a top-level label that WHATWG URL reads as a number, every invalid name) is left
 * to the full rules. A test checks both paths agree on random names.
 */
function plainAscii(trimmed: string): string | undefined {
  if (trimmed.length > 254 || !PLAIN_NAME.test(trimmed)) return undefined
  let name = trimmed.toLowerCase()
  if (name.endsWith('.')) name = name.slice(0, -1)
  if (name.length > 253 || name.startsWith('xn--') || name.includes('.xn--')) return undefined
  const tld = name.slice(name.lastIndexOf('.') + 1)
  if (!/[a-z]/.test(tld) || /^0x[0-9a-f]*$/.test(tld)) return undefined
  return name
}

/** Names normalised so far: the base and head manifests share most of theirs. */
const cache = new Map<string, Normalised>()
const CACHE_MAX = 200_000

/**
 * Normalise one manifest name: trim, lower-case, drop one trailing dot, IDN → ASCII (UTS #46,
 * as url.domainToASCII does). Idempotent: normalising the ASCII result gives it back.
 * The result is shared between calls with the same text: do not change it.
 */
export function normaliseDomain(raw: string): Normalised {
  const known = cache.get(raw)
  if (known) return known
  const trimmed = raw.trim()
  const plain = plainAscii(trimmed)
  const result = Object.freeze(plain !== undefined ? { ascii: plain } : normaliseDomainFully(raw))
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(raw, result)
  return result
}

/** The full rules, without the fast path or the cache (what both must agree with). */
export function normaliseDomainFully(raw: string): Normalised {
  const trimmed = raw.trim()
  if (trimmed === '') return { error: 'is empty' }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    const host = bareHost(trimmed)
    return {
      error: 'is a URL, not a host name',
      hint: host ? `write the bare host name: ${host}` : 'write the bare host name'
    }
  }
  if (/\s/.test(trimmed)) return { error: 'contains white space', hint: 'write one host name per entry' }
  const unbracketed = trimmed.replace(/^\[(.*)\]$/, '$1')
  if (isIP(unbracketed) || isIP(unbracketed.replace(/\.$/, ''))) {
    return {
      error: 'is an IP address',
      hint: 'RunCloud serves domain names; write the host name that points at this IP'
    }
  }
  if (trimmed.includes('*')) {
    return {
      error: 'is a wildcard',
      hint: 'wildcards are not supported; list each name (e.g. shop.example.com)'
    }
  }
  // A backslash is a path separator to url.domainToASCII (which would cut the name there).
  if (/[/\\?#@]/.test(trimmed) || /:\d*$/.test(trimmed)) {
    const host = bareHost(`http://${trimmed}`)
    return {
      error: 'has a path, port or query',
      hint: host ? `write the bare host name: ${host}` : 'write the bare host name'
    }
  }
  let name = trimmed.toLowerCase()
  if (name.endsWith('.')) name = name.slice(0, -1)
  // url.domainToASCII decodes %XX escapes (ex%41mple.com → example.com); a name has none.
  const escaped = name.split('.').find(l => l.includes('%'))
  if (escaped !== undefined)
    return { error: `has a label with characters other than letters, digits and hyphens (${escaped})` }
  const ascii = domainToASCII(name)
  if (!ascii) {
    const problem = domainProblem(name)
    return {
      error: problem && /^[\p{ASCII}]*$/u.test(name) ? problem : 'is not a valid domain name (UTS #46 / IDNA)'
    }
  }
  const problem = domainProblem(ascii)
  if (problem) return { error: problem }
  const unicode = ascii.includes('xn--') ? domainToUnicode(ascii) : ascii
  // A label that is still `xn--…` after decoding is not valid punycode.
  const asciiLabels = ascii.split('.')
  if (unicode.split('.').some((l, i) => l.startsWith('xn--') && asciiLabels[i] === l)) {
    return { error: 'is not a valid domain name (UTS #46 / IDNA): bad punycode label' }
  }
  return unicode && unicode !== ascii ? { ascii, unicode } : { ascii }
}

function bareHost(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.replace(/\.$/, '')
    return host && !('error' in normaliseDomain(host)) ? host : undefined
  } catch {
    return undefined
  }
}

export function isValidDomain(raw: string): boolean {
  return !('error' in normaliseDomain(raw))
}
