import { branchTip } from '../git/branch-tip.js'
import { readBaseManifest, type GitHubFiles } from '../git/read-base.js'
import type { RecordContext } from './deployments.js'

/**
 * Superseded runs: before any write, an apply on `push` or `workflow_dispatch` reads the tip of the
 * branch it ran for. When the tip is another commit whose manifest differs from this one's, the
 * newer commit's own run applies it, and this run must write nothing (a re-run of an old run must
 * never undo a newer change). Returns the notice when superseded; undefined to go on.
 * Costs one GitHub call (the tip), and reading the manifest at the tip when it moved.
 */
export async function supersededBy(args: {
  record: RecordContext
  /** GITHUB_REF. */
  ref: string
  sha: string
  workspace: string
  manifest: string
  /** The manifest text of this run (undefined: no file). */
  headText: string | undefined
  files?: GitHubFiles
  /** Whether two manifest texts declare the same (a comment-only edit does not supersede). */
  same(a: string | undefined, b: string | undefined): boolean
  log: { info(m: string): void; warning(m: string): void }
}): Promise<string | undefined> {
  if (!args.ref.startsWith('refs/heads/')) return undefined
  const branch = args.ref.slice('refs/heads/'.length)
  const tip = await branchTip({
    ref: args.ref,
    workspace: args.workspace,
    github: { client: args.record.github, owner: args.record.owner, repo: args.record.repo }
  })
  if (!tip.sha) {
    args.log.warning(
      `Could not read the tip of ${branch} (${tip.why ?? 'unknown'}), so this run cannot tell whether a newer commit changed ${args.manifest}; it goes on.`
    )
    return undefined
  }
  if (tip.sha === args.sha.toLowerCase()) return undefined
  let tipText: string | undefined
  try {
    tipText = (
      await readBaseManifest(
        { kind: 'commit', ref: tip.sha, why: `the tip of ${branch}` },
        { workspace: args.workspace, manifest: args.manifest, github: args.files, log: m => args.log.info(m) }
      )
    ).text
  } catch (e) {
    args.log.warning(
      `${branch} has moved on to ${tip.sha.slice(0, 7)}, but ${args.manifest} there could not be read (${(e as Error).message}); this run goes on.`
    )
    return undefined
  }
  if (args.same(tipText, args.headText)) {
    args.log.info(
      `${branch} has moved on to ${tip.sha.slice(0, 7)}, with the same ${args.manifest}: this run applies it.`
    )
    return undefined
  }
  return `Superseded: ${branch} has moved on to ${tip.sha.slice(0, 7)} (${tip.sha}), which changes ${args.manifest} again; that commit's own run applies it. This run wrote nothing and recorded nothing.`
}
