import { posix } from 'node:path'
import { packEntries, unpackEntries, type FingerprintEntry } from '../plan/fingerprint.js'
import { httpStatus, type GitHubRequest } from '../record/github.js'

export const COMMENT_LIMIT = 65_536

/** Who writes comments with the workflow's own token (`GET /user` answers 403 for it). */
export const ACTIONS_BOT = 'github-actions[bot]'

const PREFIX = '<!-- runcloud-domains-action:manifest='
const CHANGES = '<!-- runcloud-domains-action:changes='

/** The manifest path as the marker carries it: one file written two ways is one manifest. */
function markerPath(manifest: string): string {
  // `./domains.yml`, `domains.yml` and `a//b.yml` name one file.
  const path = posix.normalize(manifest.replace(/\\/g, '/')).replace(/^\.\//, '')
  return path.replace(/--/g, '-\u200b-').replace(/>/g, '%3E')
}

/** The plan a comment shows, as its hidden marker carries it. */
export interface CommentPlan {
  fingerprint: string
  offline: boolean
  /** The changes, so a later apply can name those that differ; absent for a very large plan. */
  entries?: FingerprintEntry[]
}

/**
 * The hidden marker that finds this manifest's comment again (one comment per manifest per PR);
 * with a plan, it carries the plan's whole fingerprint and whether it was offline.
 */
export function commentMarker(manifest: string, plan?: Pick<CommentPlan, 'fingerprint' | 'offline'>): string {
  const fp = plan ? ` fingerprint=${plan.fingerprint} plan=${plan.offline ? 'offline' : 'online'}` : ''
  return `${PREFIX}${markerPath(manifest)}${fp} -->`
}

/**
 * Whether `body` is this manifest's plan comment (its marker at the very start, so a reply quoting
 * it is not taken for it), and the plan its marker carries. Undefined when it is not; `{}` for a
 * comment made before fingerprints existed.
 */
export function readPlanComment(body: string, manifest: string): Partial<CommentPlan> | undefined {
  const text = body.trimStart()
  const start = `${PREFIX}${markerPath(manifest)}`
  if (!text.startsWith(start)) return undefined
  const eol = text.indexOf('\n')
  const first = eol < 0 ? text : text.slice(0, eol)
  const rest = first.slice(start.length)
  if (rest === ' -->') return {}
  const m = /^ fingerprint=([0-9a-f]{64}) plan=(online|offline) -->$/.exec(rest)
  if (!m) return undefined
  const plan: Partial<CommentPlan> = { fingerprint: m[1], offline: m[2] === 'offline' }
  const second = eol < 0 ? '' : (text.slice(eol + 1).split('\n', 1)[0] ?? '')
  const packed = /^<!-- runcloud-domains-action:changes=([A-Za-z0-9_-]+) -->$/.exec(second)?.[1]
  if (packed) {
    const entries = unpackEntries(packed, m[1] as string, m[2] === 'offline')
    if (entries) plan.entries = entries
  }
  return plan
}

/** The body with its marker (and the plan's changes, packed), cut at a line end to fit a comment. */
export function commentBody(manifest: string, body: string, plan?: CommentPlan): string {
  let marker = commentMarker(manifest, plan)
  const packed = plan?.entries ? packEntries(plan.entries) : undefined
  if (packed) marker += `\n${CHANGES}${packed} -->`
  const full = `${marker}\n${body}`
  if (full.length <= COMMENT_LIMIT) return full
  const note = '\n\n… truncated to fit a GitHub comment; see the job summary.'
  // Whole lines only: a table row or a <sub> element is never cut in half.
  const cut = full.slice(0, COMMENT_LIMIT - note.length)
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), marker.length)) + note
}

/**
 * The login comments made with `github-token` carry: `GET /user` where the token may call it (a
 * personal token), else `github-actions[bot]` (the workflow's token, which GitHub answers 403).
 * Undefined when GitHub could not be asked (then no comment is trusted).
 */
export async function tokenIdentity(
  github: GitHubRequest,
  log?: { warning(m: string): void }
): Promise<string | undefined> {
  try {
    const { data } = await github.request('GET /user')
    const login = (data as { login?: unknown } | null)?.login
    if (typeof login === 'string' && login) return login
    log?.warning('GET /user answered without a login; plan comments are taken to be github-actions[bot]’s.')
    return ACTIONS_BOT
  } catch (e) {
    if (httpStatus(e) === 403) return ACTIONS_BOT
    log?.warning(
      `Could not tell whose token github-token is (GET /user: ${(e as Error).message.split('\n')[0]}).`
    )
    return undefined
  }
}

interface ListedComment {
  id: number
  body?: string | null
  user?: { login?: string } | null
}

/**
 * The newest comment on the issue that is this manifest's plan comment and was written by `author`.
 * Comments by anyone else that carry the marker are neither edited nor trusted.
 */
export async function findPlanComment(args: {
  github: GitHubRequest
  owner: string
  repo: string
  issueNumber: number
  manifest: string
  author: string
}): Promise<{ id: number; plan: Partial<CommentPlan> } | undefined> {
  let found: { id: number; plan: Partial<CommentPlan> } | undefined
  // 100 pages of 100: far more comments than a pull request has; the loop cannot run away.
  for (let page = 1; page <= 100; page++) {
    const { data } = await args.github.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: args.owner,
      repo: args.repo,
      issue_number: args.issueNumber,
      per_page: 100,
      page
    })
    const comments = Array.isArray(data) ? (data as ListedComment[]) : []
    // Listed oldest first: the last match is the newest.
    for (const c of comments) {
      if (c.user?.login !== args.author) continue
      const plan = readPlanComment(c.body ?? '', args.manifest)
      if (plan) found = { id: c.id, plan }
    }
    if (comments.length < 100) break
  }
  return found
}

/**
 * Create the plan comment, or edit the newest one found by its marker and written by `author`.
 * It never throws: a comment is a convenience, and the plan is in the job summary anyway. No
 * permission to comment (pull requests from forks, a job without `pull-requests: write`) is a
 * warning that names the permission.
 */
export async function upsertPlanComment(args: {
  github: GitHubRequest
  owner: string
  repo: string
  issueNumber: number
  manifest: string
  body: string
  /** The login of github-token's identity (see `tokenIdentity`). */
  author: string
  plan?: CommentPlan
  log: { info(m: string): void; warning(m: string): void }
}): Promise<'created' | 'updated' | 'skipped'> {
  const body = commentBody(args.manifest, args.body, args.plan)
  const { owner, repo, issueNumber } = args
  try {
    const existing = await findPlanComment(args)
    if (existing !== undefined) {
      await args.github.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        owner,
        repo,
        comment_id: existing.id,
        body
      })
      args.log.info(`Updated the plan comment on #${issueNumber}.`)
      return 'updated'
    }
    await args.github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner,
      repo,
      issue_number: issueNumber,
      body
    })
    args.log.info(`Commented the plan on #${issueNumber}.`)
    return 'created'
  } catch (e) {
    const status = httpStatus(e)
    const where = `Could not comment the plan on pull request #${issueNumber}`
    if (status === 403 || status === 404) {
      args.log.warning(
        `${where} (HTTP ${status}, no permission): add 'permissions: pull-requests: write' to the job. Pull requests from forks get a read-only token and cannot be commented on. The plan is in the job summary.`
      )
    } else if (status === 401) {
      args.log.warning(
        `${where} (HTTP 401): the github-token input was refused; leave it at its default, \${{ github.token }}. The plan is in the job summary.`
      )
    } else {
      const message = e instanceof Error ? e.message : String(e)
      args.log.warning(
        `${where}${status ? ` (HTTP ${status})` : ''}: ${message}. The plan is in the job summary.`
      )
    }
    return 'skipped'
  }
}
