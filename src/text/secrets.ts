/**
 * The one scrub: every credential of the run, removed from any text before it is rendered (logs,
 * summary, comment, outputs, annotations, the step's error), in each form a server or a library
 * might echo it — raw, URL-encoded, JSON- and HTML-escaped, and base64 at any byte offset.
 * The runner's own masking (`core.setSecret`) covers raw strings only, and not every runner masks:
 * this does not rely on it.
 */

/** Shorter secrets are not scrubbed (a 2-character "secret" would eat ordinary text). */
const MIN_SECRET = 3
/** Shorter base64 fragments are not scrubbed: too likely to occur by chance in a base64 text. */
const MIN_BASE64_CORE = 6

const registered = new Set<string>()
let registeredForms: string[] | undefined
const extraForms = new Map<string, string[]>()

/**
 * Register a credential for the rest of the process: every later `scrub` removes it, and the
 * forms derived from it.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET || registered.has(value)) return
  registered.add(value)
  registeredForms = undefined
  extraForms.clear()
}

/** For tests: forget every registered credential. */
export function clearRegisteredSecrets(): void {
  registered.clear()
  registeredForms = undefined
  extraForms.clear()
}

export interface Credentials {
  apiToken?: string
  apiKey?: string
  apiSecret?: string
  githubToken?: string
}

/**
 * The strings a run's credentials travel as: each credential, the legacy `key:secret` pair, each
 * `Authorization` header value the clients send, and `x-access-token:<github-token>` as
 * actions/checkout stores it (base64, in `.git/config`). Registering these (besides the bare
 * credentials) lets their base64 be removed whole; masking them on the runner covers the raw forms
 * the runner can see.
 */
export function credentialStrings(c: Credentials): string[] {
  const out: string[] = []
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
  for (const s of [c.apiToken, c.apiKey, c.apiSecret, c.githubToken]) if (s) out.push(s)
  if (c.apiToken) out.push(`Bearer ${c.apiToken}`)
  if (c.apiKey && c.apiSecret) {
    const pair = `${c.apiKey}:${c.apiSecret}`
    out.push(pair, b64(pair), `Basic ${b64(pair)}`)
  }
  if (c.githubToken) {
    const checkout = `x-access-token:${c.githubToken}`
    out.push(
      `Bearer ${c.githubToken}`,
      `token ${c.githubToken}`,
      checkout,
      b64(checkout),
      `basic ${b64(checkout)}`,
      `Basic ${b64(checkout)}`
    )
  }
  return [...new Set(out)]
}

/**
 * The characters of a base64 text that depend only on the secret's bytes, when the secret sits at
 * byte offset `align` (mod 3) of a longer string: the first group's leading characters (which
 * also carry bits of the bytes before it) and the last partial character (bits of the bytes after)
 * are left out, so the fragment is the same whatever surrounds the secret.
 */
function base64Core(secret: Buffer, align: number): string {
  const full = Buffer.concat([Buffer.alloc(align), secret])
    .toString('base64')
    .replace(/=+$/, '')
  const lead = [0, 2, 3][align] as number
  const tail = (align + secret.length) % 3 === 0 ? 0 : 1
  return full.slice(lead, full.length - tail)
}

const hex2 = (n: number, upper: boolean): string => {
  const h = n.toString(16).padStart(2, '0')
  return upper ? h.toUpperCase() : h
}

/** Every form one secret string may be echoed in; longest first. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SECRET) return []
  const forms = new Set<string>([secret])
  const bytes = Buffer.from(secret, 'utf8')
  // URL: encodeURIComponent, lower-case escapes, encodeURI, form encoding, every byte escaped.
  const uri = encodeURIComponent(secret)
  forms.add(uri)
  forms.add(uri.replace(/%[0-9A-F]{2}/g, m => m.toLowerCase()))
  forms.add(encodeURI(secret))
  forms.add(new URLSearchParams({ x: secret }).toString().slice(2))
  for (const upper of [true, false]) forms.add([...bytes].map(b => `%${hex2(b, upper)}`).join(''))
  // JSON: standard, PHP's escaped slashes, and \u escapes for everything but letters and digits.
  const json = JSON.stringify(secret).slice(1, -1)
  forms.add(json)
  forms.add(json.replace(/\//g, '\\/'))
  for (const upper of [false, true])
    forms.add(
      Array.from(secret)
        .map(ch =>
          /[A-Za-z0-9]/.test(ch)
            ? ch
            : Array.from(
                { length: ch.length },
                (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`
              )
                .join('')
                .replace(/[a-f]/g, l => (upper ? l.toUpperCase() : l))
        )
        .join('')
    )
  // HTML: named entities, numeric entities (decimal and hex), and the summary's own escaping
  // (numeric entities, a zero-width space after @ and #).
  const basic = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  for (const dq of ['"', '&quot;', '&#34;'])
    for (const sq of ["'", '&#39;', '&#039;', '&#x27;', '&apos;'])
      forms.add(basic.replace(/"/g, dq).replace(/'/g, sq))
  const special = /[^A-Za-z0-9.\-/+:=,% ]/g
  forms.add(secret.replace(special, ch => `&#${ch.codePointAt(0)};`))
  forms.add(secret.replace(special, ch => `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`))
  forms.add(
    secret.replace(special, ch => `&#${ch.codePointAt(0)};${ch === '@' || ch === '#' ? '&#8203;' : ''}`)
  )
  // base64 (standard and URL-safe), whole and at each of the three byte alignments, and those
  // again as they look URL-encoded or JSON-escaped.
  const b64: string[] = [bytes.toString('base64')]
  for (const align of [0, 1, 2]) b64.push(base64Core(bytes, align))
  for (const b of b64) {
    if (b.replace(/=+$/, '').length < MIN_BASE64_CORE) continue
    const url = b.replace(/\+/g, '-').replace(/\//g, '_')
    forms.add(b)
    forms.add(url)
    forms.add(url.replace(/=+$/, ''))
    forms.add(encodeURIComponent(b))
    forms.add(b.replace(/\//g, '\\/'))
  }
  return [...forms].filter(f => f.length >= MIN_SECRET).sort((a, b) => b.length - a.length)
}

function formsOf(secrets: Iterable<string>): string[] {
  const all = new Set<string>()
  for (const s of secrets) for (const f of secretForms(s)) all.add(f)
  return [...all].sort((a, b) => b.length - a.length)
}

/**
 * Remove every registered credential, and each of `extra`, in all their forms. Longest forms go
 * first, so `Bearer <token>` or a whole base64 goes as one `***`.
 */
export function scrub(text: string, extra: readonly (string | undefined)[] = []): string {
  let out = String(text)
  if (out.length < MIN_SECRET) return out
  registeredForms ??= formsOf(registered)
  const more = extra.filter((s): s is string => !!s && !registered.has(s))
  let forms = registeredForms
  if (more.length) {
    // The RunCloud client passes the same few credentials on every error: derive their forms once.
    const key = more.join('\u0000')
    forms = extraForms.get(key) ?? formsOf([...registered, ...more])
    if (!extraForms.has(key)) {
      if (extraForms.size > 16) extraForms.clear()
      extraForms.set(key, forms)
    }
  }
  for (const f of forms) if (out.includes(f)) out = out.split(f).join('***')
  return out
}

/** `scrub` over every string of a JSON-like value (keys included); a new value, the input untouched. */
export function scrubDeep<T>(value: T, extra: readonly (string | undefined)[] = []): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v, extra)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k, extra), walk(x)]))
    return v
  }
  return walk(value) as T
}
