import type { GitHubFiles } from './read-base.js'

/** The subset of an Octokit client the base reader uses. */
export interface OctokitLike {
  rest: {
    repos: {
      getContent(params: {
        owner: string
        repo: string
        path: string
        ref: string
        mediaType?: { format: string }
      }): Promise<{ data: unknown }>
      getCommit(params: {
        owner: string
        repo: string
        ref: string
      }): Promise<{ data: { sha: string; parents: { sha: string }[] } }>
    }
  }
}

function status(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e ? Number(e.status) : undefined
}

export function githubFiles(octokit: OctokitLike, owner: string, repo: string): GitHubFiles {
  return {
    async getContent(path, ref) {
      try {
        const res = await octokit.rest.repos.getContent({
          owner,
          repo,
          path,
          ref,
          mediaType: { format: 'raw' }
        })
        if (typeof res.data === 'string') return res.data
        // Octokit hands a raw body over as bytes unless its content type is text or says charset=utf-8.
        if (res.data instanceof ArrayBuffer) return Buffer.from(res.data).toString('utf8')
        if (ArrayBuffer.isView(res.data))
          return Buffer.from(res.data.buffer, res.data.byteOffset, res.data.byteLength).toString('utf8')
        const d = res.data as { content?: string; encoding?: string }
        if (d && typeof d.content === 'string')
          return Buffer.from(d.content, d.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8')
        throw new Error(`${path} at ${ref} is not a file`)
      } catch (e) {
        if (status(e) === 404) return undefined
        throw e
      }
    },
    async getCommit(ref) {
      try {
        const res = await octokit.rest.repos.getCommit({ owner, repo, ref })
        return res.data.sha
      } catch (e) {
        // GitHub answers 422 "No commit found for SHA: …" for a ref it does not know; 404 is a repository it does not show.
        if (status(e) === 422) return undefined
        throw e
      }
    },
    async getParent(sha) {
      const res = await octokit.rest.repos.getCommit({ owner, repo, ref: sha })
      return res.data.parents[0]?.sha
    }
  }
}
