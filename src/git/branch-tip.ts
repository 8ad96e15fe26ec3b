import { failureText, type GitHubRequest } from '../record/github.js'
import { git } from './git.js'

/**
 * The commit a branch points at now (`GITHUB_REF`, e.g. `refs/heads/main`): through the GitHub API
 * (one call), else `git ls-remote origin` (the credentials actions/checkout leaves behind).
 * Undefined, with the reason, when neither could tell.
 */
export async function branchTip(args: {
  ref: string
  workspace: string
  github?: { client: GitHubRequest; owner: string; repo: string }
}): Promise<{ sha?: string; why?: string }> {
  const { ref } = args
  const reasons: string[] = []
  if (args.github) {
    try {
      // The ref's slashes stay path separators (a `{ref}` parameter would be sent as heads%2Fmain).
      const path = ref
        .replace(/^refs\//, '')
        .split('/')
        .map(encodeURIComponent)
        .join('/')
      const { data } = await args.github.client.request(`GET /repos/{owner}/{repo}/git/ref/${path}`, {
        owner: args.github.owner,
        repo: args.github.repo
      })
      const sha = (data as { object?: { sha?: unknown } } | null)?.object?.sha
      if (typeof sha === 'string' && /^[0-9a-f]{40,64}$/i.test(sha)) return { sha: sha.toLowerCase() }
      reasons.push('the GitHub API named no commit')
    } catch (e) {
      reasons.push(`GitHub API: ${failureText(e)}`)
    }
  }
  const r = await git(args.workspace, ['ls-remote', '--', 'origin', ref], 30_000)
  const line = r.ok ? r.stdout.split('\n').find(l => l.endsWith(`\t${ref}`)) : undefined
  const sha = line?.split('\t')[0]
  if (sha && /^[0-9a-f]{40,64}$/i.test(sha)) return { sha: sha.toLowerCase() }
  reasons.push(r.ok ? `origin has no ${ref}` : `git ls-remote: ${r.stderr.trim().split('\n')[0] ?? 'failed'}`)
  return { why: reasons.join('; ') }
}
