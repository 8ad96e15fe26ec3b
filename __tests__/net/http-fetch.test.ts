/**
 * The fetch that carries GitHub calls in a run without undici, against real servers on loopback:
 * what Octokit reads of an answer, redirects as fetch follows them (credentials kept to their
 * origin), failures and aborts in fetch's shape, and Octokit itself on top of it.
 */
import { Octokit } from '@octokit/core'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpFetch } from '../../src/net/http-fetch.js'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handle(req, res, body)
    })
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, seen, close: () => new Promise<void>(r => server.close(() => r())) }
}

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  while (servers.length) await servers.pop()?.close()
})
const started = async (handle: Parameters<typeof serve>[0]) => {
  const s = await serve(handle)
  servers.push(s)
  return s
}

describe('httpFetch', () => {
  it('gives status, headers (as pairs and by name), the URL and the body as text, JSON and bytes', async () => {
    const s = await started((_req, res) => {
      res.writeHead(201, 'Made', {
        'content-type': 'application/json; charset=utf-8',
        Link: '<https://x/2>; rel="next"',
        'set-cookie': ['a=1', 'b=2']
      })
      res.end(JSON.stringify({ id: 7, name: 'ü' }))
    })
    const r = await httpFetch(`${s.url}/repos/acme/sites?page=2`, {
      method: 'post',
      headers: { authorization: 'token t', 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'héllo' })
    })
    expect(r.status).toBe(201)
    expect(r.statusText).toBe('Made')
    expect(r.ok).toBe(true)
    expect(r.url).toBe(`${s.url}/repos/acme/sites?page=2`)
    expect(r.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
    expect(Object.fromEntries(r.headers)).toMatchObject({
      link: '<https://x/2>; rel="next"',
      'set-cookie': 'a=1, b=2'
    })
    expect(await r.json()).toEqual({ id: 7, name: 'ü' })
    expect(Buffer.from(await r.arrayBuffer()).toString('utf8')).toBe('{"id":7,"name":"ü"}')
    expect(s.seen[0]).toMatchObject({
      method: 'POST',
      url: '/repos/acme/sites?page=2',
      body: '{"body":"héllo"}',
      headers: { authorization: 'token t', 'content-length': String(Buffer.byteLength('{"body":"héllo"}')) }
    })
  })

  it('follows redirects on the same origin with the credentials, and to another origin without them', async () => {
    const other = await started((_req, res) => res.end('there'))
    const s = await started((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/new' })
        return res.end()
      }
      if (req.url === '/new') {
        res.writeHead(307, { location: `${other.url}/elsewhere` })
        return res.end('moved')
      }
      res.end('?')
    })
    const r = await httpFetch(`${s.url}/old`, { headers: { authorization: 'token secret', accept: 'x' } })
    expect(await r.text()).toBe('there')
    expect(r.url).toBe(`${other.url}/elsewhere`)
    expect(s.seen.map(q => [q.url, q.headers.authorization])).toEqual([
      ['/old', 'token secret'],
      ['/new', 'token secret']
    ])
    expect(other.seen[0]?.headers.authorization).toBeUndefined()
    expect(other.seen[0]?.headers.accept).toBe('x')
  })

  it('turns a POST answered 303 (or 301/302) into a GET without the body; 307 keeps both', async () => {
    const s = await started((req, res) => {
      const to = { '/a': [303, '/b'], '/b': [307, '/c'], '/p': [302, '/c'] }[req.url ?? ''] as
        [number, string] | undefined
      if (to) {
        res.writeHead(to[0], { location: to[1] })
        return res.end()
      }
      res.end(`${req.method} ${req.url}`)
    })
    const r = await httpFetch(`${s.url}/a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}'
    })
    expect(await r.text()).toBe('GET /c')
    expect(s.seen.map(q => [q.method, q.url, q.body, q.headers['content-type']])).toEqual([
      ['POST', '/a', '{"x":1}', 'application/json'],
      ['GET', '/b', '', undefined],
      ['GET', '/c', '', undefined]
    ])
    s.seen.length = 0
    await httpFetch(`${s.url}/b`, { method: 'PATCH', body: 'keep' })
    expect(s.seen.map(q => [q.method, q.body])).toEqual([
      ['PATCH', 'keep'],
      ['PATCH', 'keep']
    ])
    s.seen.length = 0
    expect(await (await httpFetch(`${s.url}/p`, { method: 'POST', body: 'x' })).text()).toBe('GET /c')
  })

  it('gives up after 20 redirects, and follows none when told not to', async () => {
    const s = await started((_req, res) => {
      res.writeHead(302, { location: '/again' })
      res.end()
    })
    await expect(httpFetch(`${s.url}/`)).rejects.toMatchObject({
      name: 'TypeError',
      cause: { message: 'redirect count exceeded' }
    })
    expect(s.seen).toHaveLength(21)
    const manual = await httpFetch(`${s.url}/`, { redirect: 'manual' })
    expect([manual.status, manual.headers.get('location')]).toEqual([302, '/again'])
    await expect(httpFetch(`${s.url}/`, { redirect: 'error' })).rejects.toBeInstanceOf(TypeError)
  })

  it("fails as fetch fails: a TypeError with Node's error as its cause, an AbortError when aborted", async () => {
    const closed = await serve(() => {})
    await closed.close()
    await expect(httpFetch(`${closed.url}/`)).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { code: 'ECONNREFUSED' }
    })
    const slow = await started(() => {}) // never answers
    const controller = new AbortController()
    const pending = httpFetch(`${slow.url}/`, { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await expect(httpFetch(`${slow.url}/`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError'
    })
  })

  it("carries Octokit's requests: data, pagination headers, and errors with GitHub's status and message", async () => {
    const s = await started((req, res) => {
      if (req.url?.startsWith('/repos/acme/sites/deployments')) {
        res.writeHead(200, { 'content-type': 'application/json', link: '<x>; rel="next"' })
        return res.end(JSON.stringify([{ id: 1, sha: 'abc' }]))
      }
      res.writeHead(403, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: 'Resource not accessible by integration' }))
    })
    const octokit = new Octokit({
      baseUrl: s.url,
      auth: 'ghs_x',
      request: { fetch: httpFetch }
    })
    const r = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner: 'acme',
      repo: 'sites',
      environment: 'production'
    })
    expect(r.status).toBe(200)
    expect(r.data).toEqual([{ id: 1, sha: 'abc' }])
    expect(r.headers.link).toBe('<x>; rel="next"')
    expect(s.seen[0]?.headers.authorization).toBe('token ghs_x')
    expect(s.seen[0]?.url).toBe('/repos/acme/sites/deployments?environment=production')
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'acme',
        repo: 'sites',
        issue_number: 3,
        body: 'plan'
      })
    ).rejects.toMatchObject({ status: 403, message: expect.stringContaining('Resource not accessible') })
    expect(JSON.parse(s.seen[1]?.body ?? '{}')).toEqual({ body: 'plan' })
  })
})
