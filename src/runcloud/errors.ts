/** A failure talking to RunCloud. Its message never holds a credential (scrubbed on construction). */
export class RunCloudError extends Error {
  readonly status?: number
  /** Field errors of a 422 (`errors` in the body), when given. */
  readonly fields?: Record<string, string[]>
  constructor(
    message: string,
    opts: { status?: number; fields?: Record<string, string[]>; secrets?: readonly string[] } = {}
  ) {
    const secrets = opts.secrets ?? []
    super(scrub(message, secrets))
    this.name = 'RunCloudError'
    this.status = opts.status
    // Field messages come from the server and end up in JSON.stringify(error): scrub them too.
    if (opts.fields)
      this.fields = Object.fromEntries(
        Object.entries(opts.fields).map(([k, v]) => [scrub(k, secrets), v.map(m => scrub(m, secrets))])
      )
  }
}

/** A write whose outcome is unknown (5xx, reset, timeout): the caller reads the state back. */
export class UnansweredError extends RunCloudError {
  constructor(message: string, opts: { status?: number; secrets?: readonly string[] } = {}) {
    super(message, opts)
    this.name = 'UnansweredError'
  }
}

/** Remove every credential (and its Basic-auth encodings) from a text: the second line of defence. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) {
    if (!s || s.length < 3) continue
    out = out.split(s).join('***')
    const b64 = Buffer.from(s).toString('base64')
    if (b64.length >= 4) out = out.split(b64).join('***')
  }
  return out
}

/** A short, single-line excerpt of a body, for errors about non-JSON answers. */
export function excerpt(body: string, secrets: readonly string[], max = 100): string {
  // Credentials out first: cutting or stripping tags first could leave a piece of one behind.
  const folded = scrub(body, secrets)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return folded.length > max ? `${folded.slice(0, max)}…` : folded
}
