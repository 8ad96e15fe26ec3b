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
 * A client for `apiUrl` (GITHUB_API_URL: GitHub Enterprise Server too) with `token`
 * (docs/architecture.md, "One HTTP stack"). Its few calls go through Node's http and https modules
 * (`http-fetch.ts`): Node's global fetch would load Node's copy of undici for them. Behind a proxy
 * (by @actions/http-client's rules) they go through the bundled undici's ProxyAgent and fetch, as
 * RunCloud's do.
 */
export async function createGitHubClient(
  token: string,
  opts: { apiUrl: string; userAgent: string; info: (message: string) => void }
): Promise<GitHubClient> {
  let fetch = httpFetch as unknown as typeof globalThis.fetch
  if (proxyFor(opts.apiUrl)) {
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
