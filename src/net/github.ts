import { readFileSync } from 'node:fs'
import type { EventContext } from '../git/base-ref.js'
import type { OctokitLike } from '../git/github-files.js'
import type { GitHubClient } from './octokit.js'

export type { GitHubClient }

export interface GitHubSide {
  event: EventContext
  /** `owner/repo` of the workflow run, when known. */
  repo?: { owner: string; repo: string }
  /** Only with a token: the client, made on first use (the same one every time). */
  octokit?: () => Promise<GitHubClient>
}

/** The event payload as @actions/github's context reads it, or why it cannot be used. */
function readPayload(path: string | undefined): { payload: Record<string, unknown>; problem?: string } {
  if (!path) return { payload: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    return { payload: {}, problem: `could not be read (${(e as Error).message})` }
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
    ? { payload: parsed as Record<string, unknown> }
    : { payload: {}, problem: 'is not a JSON object' }
}

/** Why GITHUB_API_URL cannot be used, or undefined (unset means api.github.com). */
function apiUrlProblem(value: string | undefined): string | undefined {
  if (!value) return undefined
  try {
    const { protocol } = new URL(value)
    return protocol === 'https:' || protocol === 'http:' ? undefined : 'is not an http(s) URL'
  } catch {
    return 'is not a URL'
  }
}

/**
 * The run's event, read as @actions/github's context reads it (event name, payload, sha, repository
 * from GITHUB_REPOSITORY or the payload), and a GitHub client for GITHUB_API_URL (GitHub Enterprise
 * Server) that honours the runner's proxy settings. Octokit (a tenth of the bundle) is loaded only
 * when the first GitHub call is made. A payload that is not a JSON object is replaced by the
 * defaults with a warning.
 */
export function openGitHub(
  token: string | undefined,
  warn: (message: string) => void,
  info: (message: string) => void = () => {}
): GitHubSide {
  const path = process.env.GITHUB_EVENT_PATH
  const { payload, problem } = readPayload(path)
  if (problem) warn(`The event payload at GITHUB_EVENT_PATH ${problem}; using the defaults.`)
  // An API URL that is not a URL: no GitHub calls then.
  const apiProblem = apiUrlProblem(process.env.GITHUB_API_URL)
  if (apiProblem) warn(`GITHUB_API_URL ${apiProblem}; the GitHub API is not called in this run.`)
  const event: EventContext = {
    eventName: process.env.GITHUB_EVENT_NAME ?? '',
    payload,
    sha: process.env.GITHUB_SHA || undefined
  }
  let client: Promise<GitHubClient> | undefined
  return {
    event,
    repo: repositoryOf(payload),
    octokit:
      token && !apiProblem
        ? () =>
            (client ??= import('./octokit.js').then(({ createGitHubClient }) =>
              createGitHubClient(token, {
                apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
                userAgent: 'runcloud-domains-action',
                info
              })
            ))
        : undefined
  }
}

/** As @actions/github's context.repo: GITHUB_REPOSITORY, else the payload's repository; either part may be missing. */
function repositoryOf(payload: Record<string, unknown>): GitHubSide['repo'] {
  const named = (owner: unknown, repo: unknown): GitHubSide['repo'] =>
    typeof owner === 'string' && owner && typeof repo === 'string' && repo ? { owner, repo } : undefined
  if (process.env.GITHUB_REPOSITORY) {
    const [owner, repo] = process.env.GITHUB_REPOSITORY.split('/')
    return named(owner, repo)
  }
  const r = payload.repository as { owner?: { login?: unknown }; name?: unknown } | undefined
  return r && typeof r === 'object' ? named(r.owner?.login, r.name) : undefined
}

/**
 * The repository-contents calls the base reader makes, through a client made on first use: a
 * checkout that holds the base never loads it.
 */
export function lazyRepos(client: () => Promise<GitHubClient>): OctokitLike {
  return {
    rest: {
      repos: {
        getContent: async params =>
          (await client()).request('GET /repos/{owner}/{repo}/contents/{path}', params),
        getCommit: async params => (await client()).request('GET /repos/{owner}/{repo}/commits/{ref}', params)
      }
    }
  }
}
