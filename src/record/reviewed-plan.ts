import { compareEntries, shortFingerprint, type FingerprintEntry } from '../plan/fingerprint.js'
import { findPlanComment, tokenIdentity } from '../report/comment.js'
import { failureText, type GitHubRequest } from './github.js'

/** One side of the comparison: a plan's fingerprint and its changes. */
export interface PlanPrint {
  fingerprint: string
  entries: FingerprintEntry[]
}

export interface ReviewVerdict {
  status: 'match' | 'mismatch' | 'no-comment' | 'no-pull-request' | 'unavailable'
  /** The pull request whose merge produced the commit. */
  pullRequest?: number
  /** One line for the summary. */
  line: string
  /** Set when the run must stop (`require`) or warn (`warn`): what differs and the way out. */
  problem?: string
}

const WAY_OUT =
  'The way out: update the pull request’s plan (push to it, or re-run its plan job) before merging; for this commit, run the apply workflow by hand (workflow_dispatch), which applies the current manifest unchecked.'

const list = (items: string[], max = 20): string =>
  items
    .slice(0, max)
    .map(i => `  - ${i}`)
    .join('\n') + (items.length > max ? `\n  - … and ${items.length - max} more` : '')

/**
 * Compare this apply's plan with the plan last shown on the pull request whose merge produced
 * `sha` (README, "How the action knows what it applied"), like with like: an offline reviewed plan (a fork's pull
 * request gets no secrets) is compared with this apply's offline plan of the same manifests.
 * Costs: one call for the pull requests, one for `GET /user`, one per 100 comments.
 */
export async function checkReviewedPlan(args: {
  github: GitHubRequest
  owner: string
  repo: string
  sha: string
  manifest: string
  online: PlanPrint
  offline: PlanPrint
  warn: (m: string) => void
}): Promise<ReviewVerdict> {
  const { github, owner, repo, sha } = args
  let pr: number | undefined
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      owner,
      repo,
      commit_sha: sha,
      per_page: 100
    })
    const pulls = Array.isArray(data)
      ? (data as { number?: number; merge_commit_sha?: string | null; merged_at?: string | null }[])
      : []
    pr = pulls.find(p => p.merged_at && p.merge_commit_sha === sha && typeof p.number === 'number')?.number
  } catch (e) {
    const problem = `The reviewed plan could not be checked: the pull request that produced ${sha.slice(0, 7)} could not be looked up (${failureText(e)}); add 'pull-requests: read' to the job's permissions. ${WAY_OUT}`
    return { status: 'unavailable', line: 'Reviewed plan: could not be checked (see the error).', problem }
  }
  if (pr === undefined)
    return {
      status: 'no-pull-request',
      line: `Reviewed plan: not checked — ${sha.slice(0, 7)} was not produced by merging a pull request.`
    }

  const author = await tokenIdentity(github, { warning: args.warn })
  let reviewed: Awaited<ReturnType<typeof findPlanComment>>
  try {
    reviewed = author
      ? await findPlanComment({ github, owner, repo, issueNumber: pr, manifest: args.manifest, author })
      : undefined
  } catch (e) {
    const problem = `The reviewed plan could not be checked: the comments of pull request #${pr} could not be read (${failureText(e)}); add 'pull-requests: read' to the job's permissions. ${WAY_OUT}`
    return {
      status: 'unavailable',
      pullRequest: pr,
      line: 'Reviewed plan: could not be checked (see the error).',
      problem
    }
  }
  const plan = reviewed?.plan
  if (!plan?.fingerprint || plan.offline === undefined) {
    const what = reviewed
      ? `pull request #${pr}'s plan comment carries no fingerprint (written by an older version of the action)`
      : `pull request #${pr} has no plan comment for ${args.manifest}${author ? ` by ${author}` : ''}`
    return {
      status: 'no-comment',
      pullRequest: pr,
      line: `Reviewed plan: none — ${what}.`,
      problem: `No reviewed plan to check this apply against: ${what}. ${WAY_OUT}`
    }
  }
  const ours = plan.offline ? args.offline : args.online
  const kind = plan.offline
    ? 'offline plans (the reviewed plan was made without RunCloud credentials)'
    : 'online plans'
  if (ours.fingerprint === plan.fingerprint)
    return {
      status: 'match',
      pullRequest: pr,
      line: `Reviewed plan: the same as shown on pull request #${pr} (${shortFingerprint(plan.fingerprint)}, ${plan.offline ? 'offline' : 'online'}).`
    }
  let detail: string
  if (plan.entries) {
    const { onlyOurs, onlyTheirs } = compareEntries(ours.entries, plan.entries)
    detail =
      (onlyOurs.length ? `\nOnly in this apply's plan:\n${list(onlyOurs)}` : '') +
      (onlyTheirs.length ? `\nOnly in the reviewed plan:\n${list(onlyTheirs)}` : '')
  } else {
    detail = `\nThe reviewed plan was too large to carry its changes; this apply's plan has ${ours.entries.length} change${ours.entries.length === 1 ? '' : 's'}.`
  }
  return {
    status: 'mismatch',
    pullRequest: pr,
    line: `Reviewed plan: differs from the plan shown on pull request #${pr} (reviewed ${shortFingerprint(plan.fingerprint)}, now ${shortFingerprint(ours.fingerprint)}).`,
    problem: `This apply's plan differs from the plan reviewed on pull request #${pr} (compared ${kind}: reviewed ${shortFingerprint(plan.fingerprint)}, now ${shortFingerprint(ours.fingerprint)}).${detail}\n${WAY_OUT}`
  }
}
