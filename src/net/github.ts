import { readFileSync } from 'node:fs'
import type { getOctokit } from '@actions/github'
import type { EventContext } from '../git/base-ref.js'

/** The GitHub client every GitHub call goes through: `octokit.rest.*`, `octokit.request(...)`, `octokit.paginate`. */
export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubSide {
  event: EventContext
  /** `owner/repo` of the workflow run, when known. */
  repo?: { owner: string; repo: string }
  /** Only with a token. */
  octokit?: GitHubClient
}

/** Why the event payload cannot be used, or undefined when it is a JSON object (or there is none). */
function payloadProblem(path: string | undefined): string | undefined {
  if (!path) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    return `could not be read (${(e as Error).message})`
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'is not a JSON object'
}

/**
 * The run's event and a GitHub client, from @actions/github: its context (event name, payload, sha,
 * repository) and getOctokit, which takes the API URL from GITHUB_API_URL (GitHub Enterprise Server)
 * and the runner's proxy settings. That module parses the event file as it loads and would throw on a
 * malformed one, so the file is checked first; a payload that is not a JSON object is replaced by the
 * defaults with a warning, and the module is loaded as if there were no event file.
 */
export async function openGitHub(
  token: string | undefined,
  warn: (message: string) => void
): Promise<GitHubSide> {
  const path = process.env.GITHUB_EVENT_PATH
  const problem = payloadProblem(path)
  let github: typeof import('@actions/github')
  if (problem) {
    warn(`The event payload at GITHUB_EVENT_PATH ${problem}; using the defaults.`)
    delete process.env.GITHUB_EVENT_PATH
    try {
      github = await import('@actions/github')
    } finally {
      process.env.GITHUB_EVENT_PATH = path
    }
  } else {
    github = await import('@actions/github')
  }
  const { context } = github
  const event: EventContext = {
    eventName: context.eventName ?? '',
    payload: context.payload,
    sha: context.sha || undefined
  }
  return {
    event,
    repo: repositoryOf(() => context.repo),
    octokit: token ? github.getOctokit(token, { userAgent: 'runcloud-domains-action' }) : undefined
  }
}

/** context.repo throws without GITHUB_REPOSITORY and a payload repository; either part may be missing. */
function repositoryOf(read: () => { owner?: unknown; repo?: unknown }): GitHubSide['repo'] {
  try {
    const { owner, repo } = read()
    return typeof owner === 'string' && owner && typeof repo === 'string' && repo
      ? { owner, repo }
      : undefined
  } catch {
    return undefined
  }
}
