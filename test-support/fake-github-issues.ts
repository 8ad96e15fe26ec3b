/**
 * Issues for the fake GitHub API: create, list (by label, state, creator), edit, close, labels and
 * `GET /user`. Comments on an issue go through the fake's comment routes. Kept apart from
 * fake-github.ts, which calls `handleIssues` for each request it does not answer itself.
 */
export interface FakeIssue {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  state_reason?: string | null
  labels: string[]
  /** The login of whoever opened it. */
  user: string
}

export interface FakeIssues {
  issues: FakeIssue[]
  labels: { name: string; color?: string; description?: string }[]
  /** `true`: writes (issues, labels) answer 403 as for a token without `issues: write`; `'all'`: reads too. */
  forbid: boolean | 'all'
  /** The login `GET /user` answers; `undefined` answers 403, as for the workflow's own token. */
  user?: string
  /** Who issues created through the API are by (the token's identity). */
  author: string
  /** Number of the next issue created. */
  next: number
}

export function fakeIssues(): FakeIssues {
  return { issues: [], labels: [], forbid: false, author: 'github-actions[bot]', next: 100 }
}

type Json = (status: number, body: unknown) => void

const issueJson = (i: FakeIssue) => ({
  number: i.number,
  title: i.title,
  body: i.body,
  state: i.state,
  state_reason: i.state_reason ?? null,
  labels: i.labels.map(name => ({ name })),
  user: { login: i.user }
})

/** Answers the request when it is one of these routes; returns false otherwise. */
export function handleIssues(
  state: FakeIssues,
  method: string,
  url: URL,
  body: Record<string, unknown>,
  json: Json
): boolean {
  const forbidden = () => json(403, { message: 'Resource not accessible by integration' })
  const write = method !== 'GET'
  if (url.pathname === '/user' && method === 'GET') {
    if (state.user === undefined) forbidden()
    else json(200, { login: state.user })
    return true
  }
  const repoPath = /^\/repos\/[^/]+\/[^/]+(\/.*)$/.exec(url.pathname)
  const rest = repoPath?.[1]
  if (!rest) return false
  const isIssueRoute = /^\/issues(\/\d+)?$/.test(rest) || /^\/labels(\/[^/]+)?$/.test(rest)
  if (!isIssueRoute) return false
  if (state.forbid === 'all' || (state.forbid && write)) {
    forbidden()
    return true
  }

  if (rest === '/issues' && method === 'GET') {
    const q = url.searchParams
    const labels = (q.get('labels') ?? '').split(',').filter(Boolean)
    const wanted = q.get('state') ?? 'open'
    const creator = q.get('creator')
    const perPage = Math.min(100, Number(q.get('per_page') ?? 30))
    const page = Number(q.get('page') ?? 1)
    const all = state.issues
      .filter(i => wanted === 'all' || i.state === wanted)
      .filter(i => labels.every(l => i.labels.includes(l)))
      .filter(i => !creator || i.user === creator)
      .sort((a, b) => b.number - a.number)
    json(200, all.slice((page - 1) * perPage, page * perPage).map(issueJson))
    return true
  }
  if (rest === '/issues' && method === 'POST') {
    if (typeof body.title !== 'string' || !body.title) {
      json(422, { message: 'Validation Failed', errors: [{ field: 'title', code: 'missing_field' }] })
      return true
    }
    const labels = Array.isArray(body.labels) ? body.labels.map(String) : []
    // GitHub makes a label that does not exist yet.
    for (const name of labels) if (!state.labels.some(l => l.name === name)) state.labels.push({ name })
    const issue: FakeIssue = {
      number: state.next++,
      title: body.title,
      body: typeof body.body === 'string' ? body.body : '',
      state: 'open',
      labels,
      user: state.author
    }
    state.issues.push(issue)
    json(201, issueJson(issue))
    return true
  }
  let m = /^\/issues\/(\d+)$/.exec(rest)
  if (m) {
    const issue = state.issues.find(i => i.number === Number(m?.[1]))
    if (!issue) {
      json(404, { message: 'Not Found' })
      return true
    }
    if (method === 'GET') json(200, issueJson(issue))
    else if (method === 'PATCH') {
      if (typeof body.title === 'string') issue.title = body.title
      if (typeof body.body === 'string') issue.body = body.body
      if (body.state === 'open' || body.state === 'closed') issue.state = body.state
      if (typeof body.state_reason === 'string') issue.state_reason = body.state_reason
      if (Array.isArray(body.labels)) issue.labels = body.labels.map(String)
      json(200, issueJson(issue))
    } else json(404, { message: 'Not Found' })
    return true
  }
  m = /^\/labels\/([^/]+)$/.exec(rest)
  if (m && method === 'GET') {
    const label = state.labels.find(l => l.name === decodeURIComponent(m?.[1] ?? ''))
    if (label) json(200, label)
    else json(404, { message: 'Not Found' })
    return true
  }
  if (rest === '/labels' && method === 'POST') {
    const name = typeof body.name === 'string' ? body.name : ''
    if (state.labels.some(l => l.name === name)) {
      json(422, { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists' }] })
      return true
    }
    state.labels.push({
      name,
      ...(typeof body.color === 'string' ? { color: body.color } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {})
    })
    json(201, { name })
    return true
  }
  return false
}
