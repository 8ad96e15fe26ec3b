import type { Plan } from '../plan/model.js'
import { countChanges, type Outcome } from '../plan/outcome.js'
import { failureText, isPermissionFailure, type GitHubRequest } from './github.js'

/**
 * The last-applied record: every apply is a GitHub deployment of its commit to the environment
 * named by the `environment` input, with the task `runcloud-domains:<manifest>`. The manifest at the
 * newest deployment whose latest status is `success` is what RunCloud was last made to hold, so it
 * is the base of the next apply (and of plans on pull requests): a run that was cancelled, skipped
 * or failed loses nothing.
 */
export interface RecordContext {
  github: GitHubRequest
  owner: string
  repo: string
  /** The `environment` input. */
  environment: string
  /** The manifest path as the input gives it (the task names it). */
  manifest: string
  /** The run's page, for the statuses' `log_url`. */
  runUrl?: string
}

export type LastApplied =
  | { kind: 'found'; sha: string; deployment: number }
  | { kind: 'none' }
  | { kind: 'unavailable'; note: string }

/** The deployment task of a manifest: `runcloud-domains:domains.yml`. */
export function recordTask(manifest: string): string {
  return `runcloud-domains:${manifest.replace(/\\/g, '/').replace(/^\.\//, '')}`
}

/** Deployments looked at before giving up (each costs one call for its statuses). */
const MAX_EXAMINED = 100

interface Listed {
  id: number
  sha: string
}

/**
 * The newest deployment of this environment and task whose latest status is `success`, or
 * `inactive` right after a `success` (as tools that leave GitHub's auto-inactivation on do).
 * Costs one call for the list and one per deployment looked at (one, usually).
 */
export async function findLastApplied(ctx: RecordContext, purpose: 'plan' | 'apply'): Promise<LastApplied> {
  const permission = purpose === 'apply' ? 'deployments: write' : 'deployments: read'
  try {
    const { data } = await ctx.github.request('GET /repos/{owner}/{repo}/deployments', {
      owner: ctx.owner,
      repo: ctx.repo,
      environment: ctx.environment,
      task: recordTask(ctx.manifest),
      per_page: MAX_EXAMINED
    })
    // Newest first, as GitHub lists them; the task filter is checked again in case a proxy drops it.
    const task = recordTask(ctx.manifest)
    const list = (Array.isArray(data) ? (data as (Listed & { task?: string })[]) : []).filter(
      d => d.task === undefined || d.task === task
    )
    for (const d of list.slice(0, MAX_EXAMINED)) {
      const { data: statuses } = await ctx.github.request(
        'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        { owner: ctx.owner, repo: ctx.repo, deployment_id: d.id, per_page: 2 }
      )
      const states = (Array.isArray(statuses) ? (statuses as { state?: string }[]) : []).map(s => s.state)
      if (states[0] === 'success' || (states[0] === 'inactive' && states[1] === 'success'))
        return { kind: 'found', sha: d.sha, deployment: d.id }
    }
    return { kind: 'none' }
  } catch (e) {
    if (isPermissionFailure(e)) {
      return {
        kind: 'unavailable',
        note: `The last-applied record (GitHub deployments) could not be read (${failureText(e)}): add '${permission}' to the job's permissions. Compared with the event's base instead, which misses changes of earlier runs that did not finish.`
      }
    }
    return {
      kind: 'unavailable',
      note: `The last-applied record (GitHub deployments) could not be read (${failureText(e)}). Compared with the event's base instead.`
    }
  }
}

export type DeploymentState = 'in_progress' | 'success' | 'failure'

/** GitHub's limit for a status description. */
const DESCRIPTION_MAX = 140

/** The counts of a plan or an applied plan, as a status description (at most 140 characters). */
export function countsDescription(
  plan: Plan,
  outcome: Outcome | undefined,
  state: DeploymentState,
  why?: string
): string {
  // In progress: every change as planned; at the end only what RunCloud confirmed.
  const k = countChanges(plan, outcome, state !== 'in_progress')
  const failed = k.failed + k.skipped + plan.apps.reduce((n, a) => n + a.errors.length, 0)
  const text =
    state === 'in_progress'
      ? `Applying: ${k.add} to add, ${k.update} to update, ${k.remove} to remove`
      : `${k.add} added, ${k.update} updated, ${k.remove} removed, ${failed} failed${k.noop ? `, ${k.noop} already so` : ''}`
  const full = why ? `${why}; ${text}` : text
  return full.length <= DESCRIPTION_MAX ? full : `${full.slice(0, DESCRIPTION_MAX - 1)}…`
}

/** A deployment this run created, and how its statuses are sent. */
export interface Deployment {
  id: number
  setStatus(state: DeploymentState, description: string): Promise<void>
}

/**
 * Record this apply as a deployment of `sha`. Returns the deployment, or a note for the summary
 * when it could not be created (then the next apply may start from an older base; nothing else
 * changes). Costs one call.
 */
export async function createDeployment(
  ctx: RecordContext,
  sha: string,
  fingerprint: string | undefined,
  warn: (m: string) => void
): Promise<Deployment | { note: string }> {
  try {
    const res = await ctx.github.request('POST /repos/{owner}/{repo}/deployments', {
      owner: ctx.owner,
      repo: ctx.repo,
      ref: sha,
      task: recordTask(ctx.manifest),
      environment: ctx.environment,
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      description: `RunCloud domains of ${ctx.manifest}`,
      payload: { manifest: ctx.manifest, ...(fingerprint ? { fingerprint } : {}) }
    })
    const id = (res.data as { id?: unknown } | null)?.id
    if (res.status !== 201 || typeof id !== 'number') {
      const message = (res.data as { message?: unknown } | null)?.message
      throw new Error(`GitHub answered ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`)
    }
    return {
      id,
      setStatus: async (state, description) => {
        try {
          await ctx.github.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
            owner: ctx.owner,
            repo: ctx.repo,
            deployment_id: id,
            state,
            description,
            ...(ctx.runUrl ? { log_url: ctx.runUrl } : {}),
            // Otherwise GitHub marks every earlier deployment of the environment inactive, another manifest's included.
            auto_inactive: false
          })
        } catch (e) {
          warn(`Deployment #${id} could not be marked ${state} (${failureText(e)}).`)
        }
      }
    }
  } catch (e) {
    const note = isPermissionFailure(e)
      ? `This apply was not recorded as a deployment (${failureText(e)}): add 'deployments: write' to the job's permissions, so that the next apply starts from what this one applied.`
      : `This apply was not recorded as a deployment (${failureText(e)}); the next apply may compare with an older base.`
    warn(note)
    return { note }
  }
}
