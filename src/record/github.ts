/**
 * The one thing the record, the reviewed-plan check and the plan comment need of a GitHub client:
 * `request(route, params)`, which both `@octokit/rest` and `@actions/github`'s `getOctokit` offer.
 */
export interface GitHubRequest {
  request(route: string, params?: Record<string, unknown>): Promise<{ status: number; data: unknown }>
}

/** The repository the workflow runs in. */
export interface RepoRef {
  owner: string
  repo: string
}

/** The HTTP status of a failed Octokit request, when it has one. */
export function httpStatus(e: unknown): number | undefined {
  const status = typeof e === 'object' && e !== null && 'status' in e ? Number(e.status) : NaN
  return Number.isInteger(status) ? status : undefined
}

/** A short reason for a failed request, for a warning: `HTTP 403: Resource not accessible by integration`. */
export function failureText(e: unknown): string {
  const status = httpStatus(e)
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
  return status ? `HTTP ${status}: ${message.replace(/ - https:\/\/docs\.github\.com\S*$/, '')}` : message
}

/** Whether a failure means the token lacks a permission (GitHub answers 403, or 404 for what it hides). */
export const isPermissionFailure = (e: unknown): boolean => {
  const s = httpStatus(e)
  return s === 403 || s === 404
}
