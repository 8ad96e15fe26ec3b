/**
 * The transport of the RunCloud client: one request at a time through pacing, a timeout, a
 * bounded body, and the retries each kind of request allows; plus the one helper every write
 * goes through, which never reports a write done that RunCloud's answer or state does not show.
 */
import type { Dispatcher } from 'undici'
import { request } from '../net/undici.js'
import { plain } from '../text/clean.js'
import { dispatcherFor, proxyRefusal } from '../net/dispatcher.js'
import { ACTION_WORDS } from '../words.js'
import { excerpt, RunCloudError, scrub, UnansweredError } from './errors.js'
import { Pacer } from './pacing.js'
import type { ClientOptions } from './types.js'

/** Answers are read up to this size; a larger one is an error, never read whole. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024
/** 429s tolerated for one request before giving up. */
const MAX_RATE_RETRIES = 30
/** A write whose outcome was unclear and that is not live on reading back is sent at most this often. */
const MAX_WRITE_ATTEMPTS = 3
/** Connection errors that prove the request never reached the server: safe to send again, even a write. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
/** Errors made before anything was sent, by this process (a header with a line break): no retry helps. */
const LOCAL = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_URL'
])
/** A re-sent idempotent request (the SSL redeploy) on these: the server says it did not process it. */
const NOT_PROCESSED = new Set([502, 503, 504])

const STATUS_WORDS: Record<number, string> = {
  200: 'OK',
  201: 'created',
  202: 'accepted, not done yet',
  203: 'from a proxy',
  204: 'no content',
  205: 'reset content',
  206: 'partial content',
  304: 'not modified'
}

export type Query = Record<string, string | number | undefined>

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The JSON body ({} when empty); the raw text when it is not JSON. */
  body: unknown
  json: boolean
  text: string
}

/**
 * `read`: retried on 5xx, non-JSON success and connection failures. `write`: never re-sent blind —
 * an unclear outcome throws UnansweredError for the caller to read back. `idempotent` (the SSL
 * redeploy `PUT`): re-sent on 502/503/504 and once after a timeout or reset. Every kind is re-sent
 * after a 429, which RunCloud did not process.
 */
export type RequestKind = 'read' | 'write' | 'idempotent'

export interface WriteSpec<T> {
  method: 'POST' | 'PATCH' | 'DELETE'
  path: string
  body?: unknown
  /** What is being done, for messages: "adding shop.example.com". */
  what: string
  /** The outcome when the answer itself shows the write done; undefined when it does not. */
  confirm(answer: Answer): T | undefined
  /** The outcome when RunCloud's state shows the write done; undefined when it does not. */
  readBack(): Promise<T | undefined>
  /** A refusal (4xx) that may still mean done or nothing to do (a 422 "taken" for a live name). */
  refused?(error: RunCloudError): Promise<T | undefined>
}

export interface Transport {
  readonly calls: number
  readonly secrets: readonly string[]
  readonly legacy: boolean
  readonly concurrency: number
  send(
    method: string,
    path: string,
    opts?: { query?: Query; body?: unknown; kind?: RequestKind }
  ): Promise<Answer>
  write<T>(spec: WriteSpec<T>): Promise<{ value: T; detail?: string }>
  fail(message: string, status?: number, fields?: Record<string, string[]>): RunCloudError
  log(message: string): void
}

/** What came back, in words: "HTTP 204 (no content) without a body", "HTTP 200 with {}". */
export function describeAnswer(a: Answer, secrets: readonly string[]): string {
  const words = STATUS_WORDS[a.status] ? ` (${STATUS_WORDS[a.status]})` : ''
  const text = a.text.trim()
  const body =
    text === ''
      ? 'without a body'
      : a.json
        ? `with ${excerpt(text, secrets)}`
        : `with a non-JSON body "${excerpt(text, secrets)}"`
  return `HTTP ${a.status}${words} ${body}`
}

function messageOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
    return (body as { message: string }).message
  return undefined
}

function fieldsOf(body: unknown): Record<string, string[]> | undefined {
  const e = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined
  if (!e || typeof e !== 'object') return undefined
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(e as Record<string, unknown>))
    out[k] = (Array.isArray(v) ? (v as unknown[]) : [v]).map(x =>
      typeof x === 'string' ? x : JSON.stringify(x)
    )
  return out
}

/** The body, up to `max` bytes; undefined when it is larger (the rest is not read). */
async function readCapped(res: Dispatcher.ResponseData, max: number): Promise<string | undefined> {
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy()
    return undefined
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) {
      res.body.destroy()
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export function createTransport(options: ClientOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '')
  const legacy = !options.token
  const secrets = [
    options.token,
    options.apiKey,
    options.apiSecret,
    options.apiKey && options.apiSecret ? `${options.apiKey}:${options.apiSecret}` : undefined
  ].filter((s): s is string => !!s)
  const authorization = options.token
    ? `Bearer ${options.token}`
    : `Basic ${Buffer.from(`${options.apiKey ?? ''}:${options.apiSecret ?? ''}`).toString('base64')}`
  const concurrency = Math.max(1, options.concurrency)
  const timeoutMs = options.timeoutMs ?? 30_000
  const retries = options.retries ?? 4
  const backoffMs = options.backoffMs ?? 500
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  // Every line handed out is scrubbed, and kept on one line: a message with a line break could
  // start a workflow command in the job log.
  const log = (m: string): void => options.log?.(plain(scrub(m, secrets)))
  const pacer = new Pacer(concurrency, sleep, options.now)
  // The one place the connection pool is chosen: direct, or through the runner's proxy.
  const dispatcher = options.dispatcher
    ? Promise.resolve(options.dispatcher)
    : dispatcherFor(base, { connections: concurrency, keepAliveTimeout: 10_000 }, log)
  dispatcher.catch(() => {}) // awaited (and so reported) by each request
  const provideToken = (options.words ?? ACTION_WORDS).provideToken
  let calls = 0
  /** A 401 means the credentials are wrong for the whole run: later calls fail without a request. */
  let credentialsRefused: RunCloudError | undefined

  const fail = (message: string, status?: number, fields?: Record<string, string[]>) =>
    new RunCloudError(message, { status, fields, secrets })
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const backoff = async (attempt: number, why: string): Promise<void> => {
    const ms = Math.min(10_000, backoffMs * 2 ** attempt) * (0.5 + random())
    log(`RunCloud: ${why}; retrying in ${seconds(ms)} (attempt ${attempt + 2} of ${retries + 1})`)
    await sleep(ms)
  }

  function refused(status: number): RunCloudError {
    const where = `create an API v3 token in RunCloud (Workspace → Settings → API Management), ${provideToken}.`
    return fail(
      legacy
        ? `RunCloud refused the API key and secret (HTTP ${status}). API v2 is discontinued for most accounts: ${where}`
        : `RunCloud refused the API token (HTTP ${status}). ${where.charAt(0).toUpperCase()}${where.slice(1)}`,
      status
    )
  }

  async function send(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; kind?: RequestKind } = {}
  ): Promise<Answer> {
    const kind = opts.kind ?? (method === 'GET' ? 'read' : 'write')
    // Anything that came from the manifest (a search by name) is escaped as a URI component.
    const search = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&')
    const url = new URL(`${base}${path}${search ? `?${search}` : ''}`)
    const what = `${method} ${path}`
    if (credentialsRefused) throw credentialsRefused
    const pool = await dispatcher
    let attempt = 0
    let rateRetries = 0
    let resentAfterTimeout = false
    for (;;) {
      const ticket = await pacer.acquire()
      let res: Dispatcher.ResponseData
      let text: string | undefined
      try {
        calls++
        res = await request(url, {
          method: method,
          dispatcher: pool,
          signal: AbortSignal.timeout(timeoutMs),
          headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body)
        })
        text = await readCapped(res, maxBodyBytes)
      } catch (e) {
        pacer.settle(ticket)
        const err = e as { name?: string; code?: string; message?: string }
        const code = err.code ?? ''
        if (LOCAL.has(code)) {
          calls-- // never sent
          throw fail(
            `The request to RunCloud (${what}) could not be made here: ${err.message ?? code} (${code}). Nothing was sent; check that api-token (or api-key and api-secret) holds only visible characters, without spaces or line breaks, and that api-url is a valid URL.`
          )
        }
        const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError'
        const why =
          proxyRefusal(e) ??
          (timedOut
            ? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
            : `connection failed (${code || err.name || 'error'})`)
        if (!NOT_SENT.has(code)) {
          // It may have reached RunCloud.
          if (kind === 'write') throw new UnansweredError(`${what}: ${why}`, { secrets })
          if (kind === 'idempotent') {
            if (resentAfterTimeout) throw new UnansweredError(`${what}: ${why}`, { secrets })
            resentAfterTimeout = true
            log(`RunCloud: ${what}: ${why}; sending it once more`)
            continue
          }
        }
        if (attempt < retries) {
          await backoff(attempt++, `${what}: ${why}`)
          continue
        }
        throw fail(`RunCloud did not answer ${what}: ${why}, after ${attempt + 1} attempts`)
      }
      const status = res.statusCode
      const headers = res.headers
      const decision = pacer.settle(ticket, status, headers)
      if (decision.waitMs !== undefined && decision.waitMs > 0)
        log(`RunCloud rate limit: next request in ${seconds(decision.waitMs)}; ${decision.why ?? ''}`)
      if (status === 429) {
        if (rateRetries++ < MAX_RATE_RETRIES) continue
        throw fail(`RunCloud kept answering HTTP 429 (rate limit) to ${what}`, 429)
      }
      if (text === undefined) {
        const why = `HTTP ${status} with a body over ${Math.round(maxBodyBytes / 1024 / 1024)} MiB, not read`
        if (kind === 'write' && status < 300)
          throw new UnansweredError(`${what}: ${why}`, { status, secrets })
        throw fail(
          `RunCloud answered ${what} with ${why}. A RunCloud API answer is far smaller: is api-url right?`,
          status
        )
      }
      let body: unknown = {}
      let json = true
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text)
        } catch {
          json = false
          body = text
        }
      }
      const answer: Answer = { status, headers, body, json, text }
      if (status >= 300 && status < 400) {
        const raw = headers.location
        const location = Array.isArray(raw) ? raw[0] : raw
        throw fail(
          status === 304
            ? `RunCloud answered ${what} with HTTP 304 (not modified): nothing was done. A RunCloud API never answers so: check api-url.`
            : `RunCloud answered ${what} with a redirect (HTTP ${status})${location ? ` to ${excerpt(location, secrets)}` : ''}: it was not carried out, and the redirect is not followed. RunCloud's API answers JSON, never a redirect (a login page or a moved host does): check api-url.`,
          status
        )
      }
      if (status < 200)
        throw fail(
          `RunCloud answered ${what} with HTTP ${status} (an interim answer) and nothing after it: nothing was done.`,
          status
        )
      const detail = () =>
        json ? (messageOf(body) ?? '') : `non-JSON body "${excerpt(text ?? '', secrets)}"`
      if (status >= 500 || (!json && status < 300)) {
        const d = detail()
        const why = `HTTP ${status}${d ? `: ${d}` : ''}`
        if (kind === 'write') throw new UnansweredError(`${what}: ${why}`, { status, secrets })
        if (kind === 'idempotent' && !NOT_PROCESSED.has(status))
          throw new UnansweredError(`${what}: ${why}`, { status, secrets })
        if (attempt < retries) {
          await backoff(attempt++, `${what}: ${why}`)
          continue
        }
        throw fail(`RunCloud answered ${what} with ${why}, after ${attempt + 1} attempts`, status)
      }
      if (status === 401) throw (credentialsRefused = refused(status))
      if (status === 403) throw refused(status)
      if (status >= 400) {
        const msg = json ? (messageOf(body) ?? `HTTP ${status}`) : detail()
        const fields = json ? fieldsOf(body) : undefined
        const extra = fields ? Object.values(fields).flat().join(' ') : ''
        // Laravel's message often repeats the first field message: say each once.
        const more = extra && !msg.includes(extra) ? ` (${extra})` : ''
        throw fail(`RunCloud answered ${what} with HTTP ${status}: ${msg}${more}`, status, fields)
      }
      return answer
    }
  }

  async function write<T>(spec: WriteSpec<T>): Promise<{ value: T; detail?: string }> {
    for (let attempt = 1; ; attempt++) {
      let answer: Answer
      try {
        answer = await send(spec.method, spec.path, { body: spec.body, kind: 'write' })
      } catch (e) {
        if (e instanceof UnansweredError) {
          // It may have landed: read back before deciding, never do it twice.
          const held = await spec.readBack()
          if (held !== undefined) return { value: held, detail: 'confirmed by reading back' }
          if (attempt < MAX_WRITE_ATTEMPTS) {
            log(
              `RunCloud: ${e.message}; ${spec.what}: not done on reading back, sending it again (attempt ${attempt + 1} of ${MAX_WRITE_ATTEMPTS})`
            )
            continue
          }
          throw fail(`${spec.what} failed: ${e.message}`, e.status)
        }
        if (e instanceof RunCloudError && spec.refused && e.status !== undefined && e.status >= 400) {
          const outcome = await spec.refused(e)
          if (outcome !== undefined) return { value: outcome }
        }
        throw e
      }
      const shown = spec.confirm(answer)
      if (shown !== undefined) return { value: shown }
      // A success status without what a done write answers: only RunCloud's state can tell.
      const held = await spec.readBack()
      if (held !== undefined) return { value: held, detail: 'confirmed by reading back' }
      throw fail(
        `${spec.what} failed: RunCloud answered ${spec.method} ${spec.path} with ${describeAnswer(answer, secrets)}, and reading back shows it was not done.`,
        answer.status
      )
    }
  }

  return {
    get calls() {
      return calls
    },
    secrets,
    legacy,
    concurrency,
    send,
    write,
    fail,
    log
  }
}
