import { Octokit } from '@octokit/core'
import { httpFetch } from './http-fetch.js'
import { proxyFor } from './proxy.js'

/**
 * The GitHub client every GitHub call goes through: Octokit's `request(route, params)`. Without the
 * `rest.*` method table (four-fifths of Octokit's size): the action makes a handful of calls, each
 * written as its route.
 */
export type GitHubClient = Octokit

/**
 * A client for `apiUrl` (GITHUB_API_URL: GitHub Enterprise Server too) with `token`, on one HTTP
 * stack per run (docs/architecture.md, "One HTTP stack"). A run that calls RunCloud loads undici for
 * it anyway (`sharesUndici`), and a proxy is applied by undici's ProxyAgent (by @actions/http-client's
 * rules): then GitHub is reached through undici's fetch too, on a pool of its own. Otherwise (GitHub
 * alone, no proxy) Node's http and https modules carry the few calls (`http-fetch.ts`), and the run
 * loads no undici at all, neither the bundled one nor Node's own.
 */
export async function createGitHubClient(
  token: string,
  opts: { apiUrl: string; userAgent: string; info: (message: string) => void; sharesUndici?: boolean }
): Promise<GitHubClient> {
  let fetch = httpFetch as unknown as typeof globalThis.fetch
  if (opts.sharesUndici || proxyFor(opts.apiUrl)) {
    const [undici, { dispatcherFor }] = await Promise.all([
      import('./undici-fetch.js'),
      import('./dispatcher.js')
    ])
    const dispatcher = await dispatcherFor(
      opts.apiUrl,
      { connections: 4, keepAliveTimeout: 4_000 },
      opts.info
    )
    fetch = ((url: string, init?: RequestInit) =>
      undici.fetch(url, { ...(init as object), dispatcher })) as unknown as typeof globalThis.fetch
  }
  return new Octokit({ baseUrl: opts.apiUrl, auth: token, userAgent: opts.userAgent, request: { fetch } })
}
