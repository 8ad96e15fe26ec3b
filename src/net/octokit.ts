import { Octokit } from '@octokit/core'
import { proxyFor } from './proxy.js'

/**
 * The GitHub client every GitHub call goes through: Octokit's `request(route, params)`. Without the
 * `rest.*` method table (four-fifths of Octokit's size): the action makes a handful of calls, each
 * written as its route.
 */
export type GitHubClient = Octokit

/**
 * A client for `apiUrl` (GITHUB_API_URL: GitHub Enterprise Server too) with `token`. Direct
 * connections use Node's own fetch; undici (a large part of the bundle) is loaded only when a proxy
 * applies, and then the GitHub API is reached through the same kind of pool as RunCloud (a
 * ProxyAgent, by @actions/http-client's rules): a run that plans offline never compiles it.
 */
export async function createGitHubClient(
  token: string,
  opts: { apiUrl: string; userAgent: string; info: (message: string) => void }
): Promise<GitHubClient> {
  let fetch: typeof globalThis.fetch = globalThis.fetch
  if (proxyFor(opts.apiUrl)) {
    const [undici, { dispatcherFor }] = await Promise.all([import('undici'), import('./dispatcher.js')])
    const dispatcher = dispatcherFor(opts.apiUrl, { connections: 4, keepAliveTimeout: 4_000 }, opts.info)
    fetch = ((url: string, init?: RequestInit) =>
      undici.fetch(url, { ...(init as object), dispatcher })) as unknown as typeof globalThis.fetch
  }
  return new Octokit({ baseUrl: opts.apiUrl, auth: token, userAgent: opts.userAgent, request: { fetch } })
}
