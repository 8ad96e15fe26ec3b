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
  return `<!-- runcloud-domains-action:manifest=${manifest.replace(/--/g, '-\u200b-').replace(/>/g, '%3E')} -->`
}

function statusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e
    ? Number((e as { status: unknown }).status)
    : undefined
}

/**
 * Create the plan comment, or edit the one found by its marker. No permission to comment (fork
 * pull requests, no `pull-requests: write`) is a warning, never a failure.
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
  let body = `${marker}\n${args.body}`
  if (body.length > COMMENT_LIMIT) {
    const note = '\n\n… truncated to fit a GitHub comment; see the job summary.'
    body = body.slice(0, COMMENT_LIMIT - note.length).replace(/\n[^\n]*$/, '') + note
  }
  const { owner, repo, issueNumber } = args
  try {
    let existing: number | undefined
    for (let page = 1; page <= 100 && existing === undefined; page++) {
      const { data } = await args.octokit.rest.issues.listComments({
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
        page
      })
      existing = data.find(c => c.body?.includes(marker))?.id
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
    if (status === 403 || status === 404 || status === 401) {
      args.log.warning(
        `Could not comment on pull request #${issueNumber} (HTTP ${status}): give the job 'permissions: pull-requests: write' (pull requests from forks cannot comment). The plan is in the job summary.`
      )
      return 'skipped'
    }
    throw e
  }
}
