/**
 * The drift issue (`drift-issue: true`, drift mode): one open GitHub issue per manifest while drift
 * lasts — created on the first drift, edited on later runs, closed with a comment when a run finds
 * none. A failed nightly run is easy to miss; an open issue is not. GitHub errors never fail the
 * step: the drift is in the summary anyway.
 */
import { posix } from 'node:path'
import type { Plan } from '../plan/model.js'
import { appViews, wasApplied, type Outcome } from '../plan/outcome.js'
import type { GitHubRequest } from '../record/github.js'
import { ACTIONS_BOT, tokenIdentity } from './comment.js'
import { renderMarkdown } from './markdown.js'

export const DRIFT_LABEL = 'runcloud-domains-drift'
/** GitHub's limit on an issue body, in characters. */
const BODY_LIMIT = 65_536
/** Pages of 100 open issues with the label read at most: far more than a repository has. */
const MAX_PAGES = 10

/** What Octokit offers, whichever way it was made (`@octokit/rest` or `@actions/github`). */
export type DriftState = 'drift' | 'clean' | 'unknown'

/** One manifest written two ways (`./domains.yml`, `domains.yml`) is one manifest, and one issue. */
function manifestPath(manifest: string): string {
  return posix.normalize(manifest.replace(/\\/g, '/')).replace(/^\.\//, '')
}

export function driftIssueTitle(manifest: string): string {
  return `Domain drift in ${manifestPath(manifest)}`
}

/** The hidden marker that finds this manifest's issue again (with the label and the title). */
export function driftIssueMarker(manifest: string): string {
  const path = manifestPath(manifest).replace(/--/g, '-\u200b-').replace(/>/g, '%3E')
  return `<!-- runcloud-domains-action:drift-issue manifest=${path} -->`
}

/**
 * Whether drift remains after this run: `unknown` when the run could not tell (no plan, an app
 * unreadable and nothing drifted elsewhere). After `reconcile`, only what was not fixed remains.
 */
export function driftState(plan: Plan | undefined, outcome?: Outcome): DriftState {
  if (!plan || plan.mode !== 'drift') return 'unknown'
  const remaining = appViews(plan, outcome).some(a =>
    a.changes.some(({ result }) => !result || result.status === 'failed' || result.status === 'skipped')
  )
  if (remaining) return 'drift'
  return plan.apps.some(a => a.errors.length) ? 'unknown' : 'clean'
}

/** The issue's body: the marker, what the issue is, the drift table, and the run's link. */
export function driftIssueBody(
  plan: Plan,
  outcome: Outcome | undefined,
  manifest: string,
  runUrl?: string
): string {
  const marker = driftIssueMarker(manifest)
  const head = [
    marker,
    `RunCloud does not hold what \`${manifestPath(manifest).replace(/`/g, "'")}\` declares.` +
      (runUrl && /^https?:\/\/[^\s()<>[\]"'`]+$/.test(runUrl)
        ? ` Last found by [this run](${runUrl}).`
        : '') +
      ' This issue is kept up to date by the drift check and closed when a run finds no drift.',
    ''
  ].join('\n')
  const room = BODY_LIMIT - head.length - 100
  return `${head}\n${renderMarkdown(plan, outcome, { maxChars: room, title: driftIssueTitle(manifest), runUrl })}`
}

interface IssueItem {
  number: number
  title?: string
  body?: string | null
  user?: { login?: string } | null
  pull_request?: unknown
}

function statusOf(e: unknown): number | undefined {
  const status = typeof e === 'object' && e !== null && 'status' in e ? Number(e.status) : NaN
  return Number.isInteger(status) ? status : undefined
}

/**
 * Keep the manifest's drift issue in step with this run. The issue is found by its label, its
 * hidden marker and its title; among several, the newest written by the token's own identity
 * (`GET /user`, or `github-actions[bot]` for the workflow's token) is taken. Never throws.
 */
export async function syncDriftIssue(args: {
  octokit?: GitHubRequest
  owner?: string
  repo?: string
  manifest: string
  plan?: Plan
  /** What a reconcile did, if it wrote. */
  outcome?: Outcome
  runUrl?: string
  /** Makes the rendered body safe to publish (credentials scrubbed, control characters removed). */
  document?: (markdown: string) => string
  log: { info(m: string): void; warning(m: string): void }
}): Promise<'created' | 'updated' | 'closed' | 'none' | 'skipped'> {
  const { octokit, owner, repo, log } = args
  const state = driftState(args.plan, args.outcome)
  if (!octokit || !owner || !repo) {
    log.warning(
      'drift-issue is on, but there is no GitHub token or repository: leave the github-token input at its default, ${{ github.token }}.'
    )
    return 'skipped'
  }
  if (state === 'unknown') {
    log.info('The drift issue is left as it is: this run could not read every app.')
    return 'none'
  }
  const title = driftIssueTitle(args.manifest)
  const marker = driftIssueMarker(args.manifest)
  let step = 'find'
  try {
    const found: IssueItem[] = []
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        labels: DRIFT_LABEL,
        state: 'open',
        sort: 'created',
        direction: 'desc',
        per_page: 100,
        page
      })
      const items = Array.isArray(data) ? (data as IssueItem[]) : []
      found.push(
        ...items.filter(
          i => !i.pull_request && i.title === title && (i.body ?? '').trimStart().startsWith(marker)
        )
      )
      if (items.length < 100) break
    }
    const existing = found.length > 1 ? await preferOwn(octokit, found) : found[0]

    if (state === 'clean') {
      if (!existing) return 'none'
      step = 'close'
      const reconciled = wasApplied(args.outcome)
      const where = args.runUrl ? `[this run](${args.runUrl})` : 'the latest run'
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: existing.number,
        body: reconciled
          ? `The drift was fixed by reconcile in ${where}. Closing.`
          : `No drift found in ${where}. Closing.`
      })
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: existing.number,
        state: 'closed',
        state_reason: 'completed'
      })
      log.info(`Closed drift issue #${existing.number}: no drift remains.`)
      return 'closed'
    }

    const body = (args.document ?? (d => d))(
      driftIssueBody(args.plan as Plan, args.outcome, args.manifest, args.runUrl)
    )
    if (existing) {
      step = 'update'
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: existing.number,
        body
      })
      log.info(`Updated drift issue #${existing.number}.`)
      return 'updated'
    }
    step = 'create'
    await ensureLabel(octokit, owner, repo)
    const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues', {
      owner,
      repo,
      title,
      body,
      labels: [DRIFT_LABEL]
    })
    log.info(`Opened drift issue #${(data as { number?: number }).number ?? '?'}.`)
    return 'created'
  } catch (e) {
    const status = statusOf(e)
    const what = `The drift issue could not be ${step === 'find' ? 'looked up' : step === 'create' ? 'opened' : step === 'update' ? 'updated' : 'closed'}`
    if (status === 403 || status === 404)
      log.warning(
        `${what} (HTTP ${status}, no permission): add 'permissions: issues: write' to the job. The drift is in the job summary.`
      )
    else if (status === 401)
      log.warning(
        `${what} (HTTP 401): the github-token input was refused; leave it at its default, \${{ github.token }}.`
      )
    else
      log.warning(
        `${what}${status ? ` (HTTP ${status})` : ''}: ${e instanceof Error ? e.message : String(e)}. The drift is in the job summary.`
      )
    return 'skipped'
  }
}

/**
 * Among several issues that carry the label, marker and title, the newest written by this token's
 * identity; failing that the newest (a GitHub App's token cannot tell its own name).
 */
async function preferOwn(octokit: GitHubRequest, found: IssueItem[]): Promise<IssueItem | undefined> {
  // The workflow's own token may not read /user: it is github-actions[bot].
  const login = (await tokenIdentity(octokit)) ?? ACTIONS_BOT
  return found.find(i => i.user?.login === login) ?? found[0]
}

/** The label, created with a colour and a description the first time (GitHub would make a bare one). */
async function ensureLabel(octokit: GitHubRequest, owner: string, repo: string): Promise<void> {
  try {
    await octokit.request('GET /repos/{owner}/{repo}/labels/{name}', { owner, repo, name: DRIFT_LABEL })
    return
  } catch (e) {
    if (statusOf(e) !== 404) return
  }
  try {
    await octokit.request('POST /repos/{owner}/{repo}/labels', {
      owner,
      repo,
      name: DRIFT_LABEL,
      color: 'd93f0b',
      description: 'RunCloud domains differ from the manifest'
    })
  } catch {
    // Created meanwhile, or no permission to make labels: creating the issue makes a plain one.
  }
}
