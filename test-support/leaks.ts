/**
 * Finds a secret in text however it was encoded, independently of the product's scrub: it decodes
 * what it sees (percent escapes, JSON escapes, HTML entities, and every run of base64 characters at
 * each of its four possible starts) and looks for the secret in the result.
 */

const b64Run = /[A-Za-z0-9+/_-]{6,}/g

function urlDecoded(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, run => {
    try {
      return decodeURIComponent(run)
    } catch {
      return Buffer.from(run.replace(/%/g, ''), 'hex').toString('latin1')
    }
  })
}

function jsonDecoded(text: string): string {
  return text
    .replace(/\\u([0-9A-Fa-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\(["\\/])/g, '$1')
}

function htmlDecoded(text: string): string {
  return text
    .replace(/&#8203;/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** Every decoding of `text` worth looking into, nested once (a base64 inside a URL, a JSON string in HTML…). */
function views(text: string): string[] {
  const first = [text, urlDecoded(text), jsonDecoded(text), htmlDecoded(text)]
  const out = new Set<string>(first)
  for (const v of first) {
    out.add(urlDecoded(v))
    out.add(jsonDecoded(v))
    out.add(htmlDecoded(v))
  }
  return [...out]
}

function base64Decodings(text: string): Buffer[] {
  const out: Buffer[] = []
  for (const m of text.matchAll(b64Run)) {
    const run = m[0].replace(/-/g, '+').replace(/_/g, '/')
    for (let shift = 0; shift < 4; shift++) {
      const part = run.slice(shift)
      const usable = part.slice(0, part.length - (part.length % 4))
      if (usable.length >= 4) out.push(Buffer.from(usable, 'base64'))
    }
  }
  return out
}

/**
 * The ways `secrets` show in `text`: `raw`, `decoded`, or `base64`. A base64 counts when the
 * decoded bytes hold the secret without its first and last characters (the characters at either
 * edge of a base64 fragment are shared with the neighbouring bytes).
 */
export function findLeaks(text: string, secrets: readonly string[]): string[] {
  const found: string[] = []
  for (const secret of secrets) {
    if (secret.length < 6) continue
    const middle = Buffer.from(secret.slice(1, -1), 'utf8')
    if (text.includes(secret)) found.push(`raw ${secret}`)
    for (const v of views(text)) {
      if (v !== text && v.includes(secret)) found.push(`decoded ${secret}`)
      for (const b of base64Decodings(v)) if (b.includes(middle)) found.push(`base64 of ${secret}`)
    }
  }
  return [...new Set(found)]
}

/** The encodings a hostile server might echo a secret in, for the tests' answers. */
export function encodings(secret: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    b64(secret),
    b64(`x${secret}`),
    b64(`xy${secret}`),
    b64(`x-access-token:${secret}`),
    b64(`Bearer ${secret}`).replace(/\+/g, '-').replace(/\//g, '_'),
    encodeURIComponent(b64(`prefix ${secret} suffix`))
  ]
}
