import { scrub } from '../text/secrets.js'

// The one scrub and excerpt, for the client's callers that import them from here.
export { scrub } from '../text/secrets.js'
export { excerpt } from '../text/clean.js'

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
