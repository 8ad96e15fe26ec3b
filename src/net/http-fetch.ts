/**
 * The part of fetch that Octokit uses, over Node's own `http` and `https` modules: GitHub's client
 * uses it unless a proxy applies (docs/architecture.md, "One HTTP stack"). Node's global fetch
 * would load Node's copy of undici for a run's few GitHub calls: about twice what these modules
 * cost at start-up, and a second copy of undici beside the one RunCloud's calls go through.
 *
 * What it keeps of fetch: redirects are followed as fetch follows them (at most 20; a POST
 * answered 301, 302 or 303 is followed with a GET; the Authorization header is not sent to
 * another origin), a failed connection rejects with a `TypeError` whose `cause` is Node's error
 * (Octokit words its message from that), an aborted signal rejects with an `AbortError`, and a
 * request without an answer for 300 s fails as undici's fetch would.
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'

const MAX_REDIRECTS = 20
const TIMEOUT_MS = 300_000
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export interface HttpFetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  redirect?: 'follow' | 'error' | 'manual'
  signal?: AbortSignal | null
}

/** The answer's headers as fetch's `Headers` gives them to Octokit: `get`, and `[name, value]` pairs. */
export class HttpFetchHeaders implements Iterable<[string, string]> {
  private readonly map = new Map<string, string>()
  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw))
      if (value !== undefined)
        this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value)
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return [...this.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[Symbol.iterator]()
  }
}

export class HttpFetchResponse {
  readonly ok: boolean
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    readonly headers: HttpFetchHeaders,
    private readonly bytes: Buffer
  ) {
    this.ok = status >= 200 && status < 300
  }
  text(): Promise<string> {
    return Promise.resolve(this.bytes.toString('utf8'))
  }
  json(): Promise<unknown> {
    return this.text().then(t => JSON.parse(t) as unknown)
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.bytes
    return Promise.resolve(buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer)
  }
}

const abortError = (signal: AbortSignal): Error =>
  signal.reason instanceof Error && signal.reason.name === 'AbortError'
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError')

/** One request and its whole answer; no redirect followed. */
function once(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | null | undefined
): Promise<{ res: IncomingMessage; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const http = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http')
    const sized =
      body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }
    let req: ClientRequest | undefined = undefined
    const onAbort = () => req?.destroy(abortError(signal as AbortSignal))
    const done = () => signal?.removeEventListener('abort', onAbort)
    req = http.request(url, { method, headers: sized }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        done()
        resolve({ res, bytes: Buffer.concat(chunks) })
      })
      res.on('error', e => {
        done()
        reject(new TypeError('fetch failed', { cause: e }))
      })
    })
    req.setTimeout(TIMEOUT_MS, () =>
      req?.destroy(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))
    )
    req.on('error', e => {
      done()
      reject(e.name === 'AbortError' ? e : new TypeError('fetch failed', { cause: e }))
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    req.end(body)
  })
}

/** `fetch(url, init)` for Octokit: see the module's comment for what it keeps of fetch. */
export async function httpFetch(input: string | URL, init: HttpFetchInit = {}): Promise<HttpFetchResponse> {
  let url = new URL(input)
  let method = (init.method ?? 'GET').toUpperCase()
  let headers: Record<string, string> = { ...init.headers }
  let body = init.body
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) })
    const { res, bytes } = await once(url, method, headers, body, init.signal)
    const status = res.statusCode ?? 0
    const location = res.headers.location
    const redirect = init.redirect ?? 'follow'
    if (!REDIRECTS.has(status) || !location || redirect === 'manual')
      return new HttpFetchResponse(
        status,
        res.statusMessage ?? '',
        url.href,
        new HttpFetchHeaders(res.headers),
        bytes
      )
    if (redirect === 'error') throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') })
    if (redirects >= MAX_REDIRECTS)
      throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') })
    const next = new URL(location, url)
    if (
      ((status === 301 || status === 302) && method === 'POST') ||
      (status === 303 && method !== 'GET' && method !== 'HEAD')
    ) {
      method = 'GET'
      body = undefined
      headers = Object.fromEntries(
        Object.entries(headers).filter(
          ([k]) => !/^content-(type|length|encoding|language|location)$/i.test(k)
        )
      )
    }
    // Credentials stay with the origin they were given for.
    if (next.origin !== url.origin)
      headers = Object.fromEntries(
        Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization')
      )
    url = next
  }
}
