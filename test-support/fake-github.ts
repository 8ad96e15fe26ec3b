/** A small fake of the GitHub REST API on loopback: issue comments, contents and commits. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fakeIssues, handleIssues, type FakeIssues } from './fake-github-issues.js'

export interface FakeGitHub {
  url: string
  comments: { id: number; issue: number; body: string }[]
  /** path@ref → text */
  files: Map<string, string>
  /** sha → parent sha */
  parents: Map<string, string>
  /** Refs the commits endpoint knows besides those in `parents` and `files` (others answer 422, as GitHub does). */
  commits: Set<string>
  /**
   * `true`: writing comments answers 403 "Resource not accessible by integration" (a fork's
   * read-only token); `'all'`: listing them does too.
   */
  forbidComments: boolean | 'all'
  requests: { method: string; path: string; authorization?: string }[]
  /** Issues, labels and /user (see fake-github-issues.ts). */
  issues: FakeIssues
  close(): Promise<void>
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1
  const fake: FakeGitHub = {
    url: '',
    comments: [],
    files: new Map(),
    parents: new Map(),
    commits: new Set(),
    forbidComments: false,
    requests: [],
    issues: fakeIssues(),
    close: async () => {}
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gh')
      const method = req.method ?? 'GET'
      fake.requests.push({
        method,
        path: url.pathname + url.search,
        authorization: req.headers.authorization
      })
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body?: string })
        : {}
      let m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname)
      if (m) {
        if ((fake.forbidComments && method === 'POST') || fake.forbidComments === 'all')
          return json(403, { message: 'Resource not accessible by integration' })
        const issue = Number(m[1])
        if (method === 'GET') {
          const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
          const page = Number(url.searchParams.get('page') ?? 1)
          const all = fake.comments.filter(c => c.issue === issue)
          // A Link header like GitHub's, for clients that page by following it.
          const last = Math.max(1, Math.ceil(all.length / perPage))
          if (page < last) {
            const next = new URL(url.pathname, fake.url)
            next.searchParams.set('per_page', String(perPage))
            next.searchParams.set('page', String(page + 1))
            res.setHeader('link', `<${next.href}>; rel="next"`)
          }
          return json(
            200,
            all
              .slice((page - 1) * perPage, page * perPage)
              .map(c => ({ id: c.id, body: c.body, user: { login: 'github-actions[bot]' } }))
          )
        }
        if (method === 'POST') {
          const c = { id: nextId++, issue, body: String(body.body ?? '') }
          fake.comments.push(c)
          return json(201, { id: c.id, body: c.body })
        }
      }
      m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)
      if (m && method === 'PATCH') {
        if (fake.forbidComments) return json(403, { message: 'Resource not accessible by integration' })
        const c = fake.comments.find(x => x.id === Number(m?.[1]))
        if (!c) return json(404, { message: 'Not Found' })
        c.body = String(body.body ?? '')
        return json(200, { id: c.id, body: c.body })
      }
      m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(url.pathname)
      if (m && method === 'GET') {
        const text = fake.files.get(`${decodeURIComponent(m[1] as string)}@${url.searchParams.get('ref')}`)
        if (text === undefined) return json(404, { message: 'Not Found' })
        if ((req.headers.accept ?? '').includes('raw')) {
          res.writeHead(200, { 'content-type': 'application/vnd.github.raw' })
          return res.end(text)
        }
        // GitHub wraps the base64 content at 60 characters.
        const content = (
          Buffer.from(text)
            .toString('base64')
            .match(/.{1,60}/g) ?? []
        ).join('\n')
        return json(200, { type: 'file', encoding: 'base64', content })
      }
      m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)$/.exec(url.pathname)
      if (m && method === 'GET') {
        const ref = m[1] as string
        const known =
          fake.commits.has(ref) ||
          fake.parents.has(ref) ||
          [...fake.parents.values()].includes(ref) ||
          [...fake.files.keys()].some(k => k.endsWith(`@${ref}`))
        if (!known) return json(422, { message: `No commit found for SHA: ${ref}` })
        const parent = fake.parents.get(ref)
        return json(200, { sha: ref, parents: parent ? [{ sha: parent }] : [] })
      }
      if (handleIssues(fake.issues, method, url, body, json)) return
      json(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>(r => server.close(() => r()))
  return fake
}
