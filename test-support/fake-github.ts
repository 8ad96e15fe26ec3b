/**
 * A small fake of the GitHub REST API on loopback: issue comments (with their authors), `/user`,
 * contents and commits, deployments and their statuses, commit → pull request association, and
 * branch tips read from a real git repository.
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fakeIssues, handleIssues, type FakeIssues } from './fake-github-issues.js'

export const ACTIONS_BOT = 'github-actions[bot]'

export interface FakeComment {
  id: number
  issue: number
  body: string
  /** The author's login; github-actions[bot] when not given. */
  user?: string
}

export interface FakeDeploymentStatus {
  id: number
  state: string
  description?: string
  log_url?: string
  environment_url?: string
  auto_inactive?: boolean
  created_at: string
}

export interface FakeDeployment {
  id: number
  sha: string
  ref: string
  task: string
  environment: string
  auto_merge?: boolean
  required_contexts?: string[]
  transient_environment?: boolean
  payload?: unknown
  description?: string
  created_at: string
  /** Newest last. */
  statuses: FakeDeploymentStatus[]
}

export interface FakePull {
  number: number
  /** The commit the merge produced (merge commit, squash commit, or the last rebased commit). */
  merge_commit_sha: string
  merged_at?: string | null
  /** Commits of the pull request that also list it (GitHub lists a PR for its own commits too). */
  commits?: string[]
}

export interface FakeGitHub {
  url: string
  comments: FakeComment[]
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
  /** Issues, labels and the issue side of /user (see fake-github-issues.ts). */
  issues: FakeIssues
  /** Personal tokens and their logins: `GET /user` answers these; any other token gets 403, as an installation token does. */
  users: Map<string, string>
  deployments: FakeDeployment[]
  /** `true`: every deployment endpoint answers 403 (no `deployments` permission); `'write'`: only writes do (`deployments: read`). */
  forbidDeployments: boolean | 'write'
  pulls: FakePull[]
  /** A real git repository: branch tips (`GET /git/ref/heads/…`) and file contents are read from it. */
  gitDir?: string
  /** Each answer is sent this long after its request arrived (a GitHub far away); 0 by default. */
  latencyMs: number
  /** Every request, with when it arrived (ms since the epoch). */
  requests: { method: string; path: string; authorization?: string; body?: unknown; at: number }[]
  /** Requests to the deployment endpoints, writes only, as `METHOD path`. */
  deploymentWrites(): string[]
  close(): Promise<void>
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const now = () => new Date((clock += 1000)).toISOString()
  const fake: FakeGitHub = {
    url: '',
    comments: [],
    files: new Map(),
    parents: new Map(),
    commits: new Set(),
    forbidComments: false,
    users: new Map(),
    deployments: [],
    forbidDeployments: false,
    pulls: [],
    latencyMs: 0,
    requests: [],
    issues: fakeIssues(),
    deploymentWrites: () =>
      fake.requests
        .filter(r => r.method !== 'GET' && r.path.includes('/deployments'))
        .map(r => `${r.method} ${r.path}`),
    close: async () => {}
  }
  const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback)
  const gitOut = (...args: string[]): string | undefined => {
    if (!fake.gitDir) return undefined
    try {
      return execFileSync('git', args, {
        cwd: fake.gitDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore']
      })
    } catch {
      return undefined
    }
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gh')
      const method = req.method ?? 'GET'
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {}
      fake.requests.push({
        method,
        path: url.pathname + url.search,
        authorization: req.headers.authorization,
        ...(chunks.length ? { body } : {}),
        at: Date.now()
      })
      const token = (req.headers.authorization ?? '').replace(/^(token|bearer) /i, '')
      const identity = fake.users.get(token) ?? ACTIONS_BOT
      const later = (send: () => void) => (fake.latencyMs ? setTimeout(send, fake.latencyMs) : send())
      const json = (status: number, value: unknown) =>
        later(() => {
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(JSON.stringify(value))
        })
      const forbidden = () =>
        json(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest'
        })
      const page = <T>(all: T[]): T[] => {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
        const n = Number(url.searchParams.get('page') ?? 1)
        // A Link header like GitHub's, for clients that page by following it.
        if (n < Math.ceil(all.length / perPage)) {
          const next = new URL(url.pathname + url.search, fake.url)
          next.searchParams.set('per_page', String(perPage))
          next.searchParams.set('page', String(n + 1))
          res.setHeader('link', `<${next.href}>; rel="next"`)
        }
        return all.slice((n - 1) * perPage, n * perPage)
      }

      if (url.pathname === '/user' && method === 'GET') {
        // A token registered in `users`, else the identity the issue tests set (fake-github-issues.ts).
        const login = fake.users.get(token) ?? fake.issues.user
        return login ? json(200, { login, type: 'User' }) : forbidden()
      }

      let m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname)
      if (m) {
        if ((fake.forbidComments && method === 'POST') || fake.forbidComments === 'all') return forbidden()
        const issue = Number(m[1])
        if (method === 'GET') {
          const all = fake.comments.filter(c => c.issue === issue)
          return json(
            200,
            page(all).map(c => ({ id: c.id, body: c.body, user: { login: c.user ?? ACTIONS_BOT } }))
          )
        }
        if (method === 'POST') {
          const c = { id: nextId++, issue, body: str(body.body), user: identity }
          fake.comments.push(c)
          return json(201, { id: c.id, body: c.body, user: { login: c.user } })
        }
      }
      m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)
      if (m && method === 'PATCH') {
        if (fake.forbidComments) return forbidden()
        const c = fake.comments.find(x => x.id === Number(m?.[1]))
        if (!c) return json(404, { message: 'Not Found' })
        // GitHub lets only the author (or a maintainer's personal token) edit; the fake: only the author.
        if ((c.user ?? ACTIONS_BOT) !== identity) return forbidden()
        c.body = str(body.body)
        return json(200, { id: c.id, body: c.body })
      }

      m = /^\/repos\/[^/]+\/[^/]+\/deployments(?:\/(\d+)(\/statuses)?)?$/.exec(url.pathname)
      if (m) {
        if (fake.forbidDeployments === true || (fake.forbidDeployments === 'write' && method !== 'GET'))
          return forbidden()
        const [, id, statuses] = m
        if (!id && method === 'GET') {
          const env = url.searchParams.get('environment')
          const task = url.searchParams.get('task')
          const sha = url.searchParams.get('sha')
          const all = fake.deployments
            .filter(
              d => (!env || d.environment === env) && (!task || d.task === task) && (!sha || d.sha === sha)
            )
            .reverse()
          return json(
            200,
            page(all).map(d => ({
              id: d.id,
              sha: d.sha,
              ref: d.ref,
              task: d.task,
              environment: d.environment,
              payload: d.payload ?? {},
              description: d.description ?? null,
              created_at: d.created_at
            }))
          )
        }
        if (!id && method === 'POST') {
          const ref = str(body.ref)
          const sha = gitOut('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)?.trim() ?? ref
          const d: FakeDeployment = {
            id: nextId++,
            sha,
            ref,
            task: str(body.task, 'deploy'),
            environment: str(body.environment, 'production'),
            auto_merge: body.auto_merge as boolean | undefined,
            required_contexts: body.required_contexts as string[] | undefined,
            transient_environment: body.transient_environment as boolean | undefined,
            payload: body.payload,
            description: body.description as string | undefined,
            created_at: now(),
            statuses: []
          }
          fake.deployments.push(d)
          return json(201, { id: d.id, sha: d.sha, ref: d.ref, task: d.task, environment: d.environment })
        }
        const d = fake.deployments.find(x => x.id === Number(id))
        if (!d) return json(404, { message: 'Not Found' })
        if (statuses && method === 'GET') return json(200, page([...d.statuses].reverse()))
        if (statuses && method === 'POST') {
          const s: FakeDeploymentStatus = {
            id: nextId++,
            state: str(body.state),
            description: body.description as string | undefined,
            log_url: body.log_url as string | undefined,
            environment_url: body.environment_url as string | undefined,
            auto_inactive: body.auto_inactive as boolean | undefined,
            created_at: now()
          }
          if (String(s.description ?? '').length > 140)
            return json(422, {
              message: 'Validation Failed: description is too long (maximum is 140 characters)'
            })
          d.statuses.push(s)
          // As GitHub does unless told otherwise: a success marks the environment's earlier deployments inactive.
          if (s.state === 'success' && s.auto_inactive !== false) {
            for (const o of fake.deployments)
              if (o !== d && o.environment === d.environment && o.statuses.at(-1)?.state !== 'inactive')
                o.statuses.push({ id: nextId++, state: 'inactive', created_at: now() })
          }
          return json(201, s)
        }
        if (!statuses && method === 'GET') return json(200, { id: d.id, sha: d.sha, task: d.task })
      }

      m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/pulls$/.exec(url.pathname)
      if (m && method === 'GET') {
        const sha = m[1] as string
        const prs = fake.pulls.filter(p => p.merge_commit_sha === sha || p.commits?.includes(sha))
        return json(
          200,
          prs.map(p => ({
            number: p.number,
            state: p.merged_at === null ? 'open' : 'closed',
            merge_commit_sha: p.merge_commit_sha,
            merged_at: p.merged_at === undefined ? '2026-01-01T00:00:00Z' : p.merged_at
          }))
        )
      }

      m = /^\/repos\/[^/]+\/[^/]+\/git\/ref\/(.+)$/.exec(url.pathname)
      if (m && method === 'GET') {
        const ref = decodeURIComponent(m[1] as string)
        const sha = gitOut('rev-parse', '--verify', '--quiet', `refs/${ref}^{commit}`)?.trim()
        if (!sha) return json(404, { message: 'Not Found' })
        return json(200, { ref: `refs/${ref}`, object: { sha, type: 'commit' } })
      }

      m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(url.pathname)
      if (m && method === 'GET') {
        const path = decodeURIComponent(m[1] as string)
        const ref = url.searchParams.get('ref') ?? 'HEAD'
        const text = fake.files.get(`${path}@${ref}`) ?? gitOut('show', `${ref}:${path}`)
        if (text === undefined) return json(404, { message: 'Not Found' })
        if ((req.headers.accept ?? '').includes('raw')) {
          return later(() => {
            res.writeHead(200, { 'content-type': 'application/vnd.github.raw' })
            res.end(text)
          })
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
