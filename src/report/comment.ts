import { posix } from 'node:path'
/** The subset of Octokit used for the PR comment (a real Octokit, or a fake in tests). */
export interface CommentsApi {
  rest: {
    issues: {
      listComments(params: {
        owner: string
        repo: string
        issue_number: number
        per_page?: number
        page?: number
      }): Promise<{ data: { id: number; body?: string | null }[] }>
      createComment(params: {
        owner: string
        repo: string
        issue_number: number
        body: string
      }): Promise<unknown>
      updateComment(params: {
        owner: string
        repo: string
        comment_id: number
        body: string
      }): Promise<unknown>
    }
  }
}

export const COMMENT_LIMIT = 65_536

/** The hidden marker that finds this manifest's comment again; one comment per manifest per PR. */
export function commentMarker(manifest: string): string {
  // One file written two ways (`./domains.yml`, `domains.yml`, `a//b.yml`) is one manifest.
  const path = posix.normalize(manifest.replace(/\\/g, '/')).replace(/^\.\//, '')
  return `<!-- runcloud-domains-action:manifest=${path.replace(/--/g, '-\u200b-').replace(/>/g, '%3E')} -->`
}

function statusOf(e: unknown): number | undefined {
  const status = typeof e === 'object' && e !== null && 'status' in e ? Number(e.status) : NaN
  return Number.isInteger(status) ? status : undefined
}

/** The body with its marker, cut at a line end to fit a comment (GitHub counts characters). */
export function commentBody(manifest: string, body: string): string {
  const marker = commentMarker(manifest)
  const full = `${marker}\n${body}`
  if (full.length <= COMMENT_LIMIT) return full
  const note = '\n\n… truncated to fit a GitHub comment; see the job summary.'
  // Whole lines only: a table row or a <sub> element is never cut in half.
  const cut = full.slice(0, COMMENT_LIMIT - note.length)
  return cut.slice(0, Math.max(cut.lastIndexOf('\n'), marker.length)) + note
}

/**
 * Create the plan comment, or edit the one found by its marker (at the start of a comment, so a
 * reply quoting it is not taken for it). It never throws: a comment is a convenience, and the
 * plan is in the job summary anyway. No permission to comment (pull requests from forks, a job
 * without `pull-requests: write`) is a warning that names the permission.
 */
export async function upsertPlanComment(args: {
  octokit: CommentsApi
  owner: string
  repo: string
  issueNumber: number
  manifest: string
  body: string
  log: { info(m: string): void; warning(m: string): void }
}): Promise<'created' | 'updated' | 'skipped'> {
  const marker = commentMarker(args.manifest)
  const body = commentBody(args.manifest, args.body)
  const { owner, repo, issueNumber } = args
  try {
    let existing: number | undefined
    // 100 pages of 100: far more comments than a pull request has; the loop cannot run away.
    for (let page = 1; page <= 100 && existing === undefined; page++) {
      const { data } = await args.octokit.rest.issues.listComments({
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
        page
      })
      existing = data.find(c => (c.body ?? '').trimStart().startsWith(marker))?.id
      if (data.length < 100) break
    }
    if (existing !== undefined) {
      await args.octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body })
      args.log.info(`Updated the plan comment on #${issueNumber}.`)
      return 'updated'
    }
    await args.octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })
    args.log.info(`Commented the plan on #${issueNumber}.`)
    return 'created'
  } catch (e) {
    const status = statusOf(e)
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
