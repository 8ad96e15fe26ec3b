import { git } from './git.js'
import type { BaseChoice } from './base-ref.js'

/** Reads files and commits through the GitHub API, for shallow checkouts that lack the base commit. */
export interface GitHubFiles {
  /** The file's text at `ref`, or undefined when it does not exist there (404). Throws on other failures. */
  getContent(path: string, ref: string): Promise<string | undefined>
  /** The first parent of `sha`, or undefined for a root commit. */
  getParent(sha: string): Promise<string | undefined>
  /** The full SHA of the commit `ref` names, or undefined when the repository has no such commit. Throws on other failures. */
  getCommit(ref: string): Promise<string | undefined>
}

export interface BaseManifest {
  /** The manifest text at the base; undefined when there is no base or the file is absent there. */
  text?: string
  sha?: string
  /** For people: "abc1234 (the pull request base)", "none (first commit)". */
  description: string
  /** How it was read: `git`, `git fetch`, `github api`, or `none`. */
  source: 'git' | 'git-fetch' | 'github-api' | 'none'
}

export interface ReadBaseOptions {
  workspace: string
  /** Manifest path relative to the workspace. */
  manifest: string
  github?: GitHubFiles
  log?: (line: string) => void
}

export class BaseReadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BaseReadError'
  }
}

const HEX_SHA = /^[0-9a-f]{7,64}$/i

const short = (sha: string): string => (HEX_SHA.test(sha) ? sha.slice(0, 7) : sha)

async function isGitRepo(cwd: string): Promise<boolean> {
  const r = await git(cwd, ['rev-parse', '--is-inside-work-tree'])
  return r.ok && r.stdout.trim() === 'true'
}

async function resolveCommit(cwd: string, ref: string): Promise<string | undefined> {
  const r = await git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  return r.ok ? r.stdout.trim() : undefined
}

async function isShallow(cwd: string): Promise<boolean> {
  const r = await git(cwd, ['rev-parse', '--is-shallow-repository'])
  return r.ok && r.stdout.trim() === 'true'
}

/** What showFile answers when no file is there: a value no file's text can equal. */
const ABSENT = Symbol('absent')

/**
 * The file `<sha>:./<path>` (what `git show` prints), following symbolic links inside the repository
 * as reading the working tree does (a symlinked manifest, or one under a symlinked folder): its text,
 * ABSENT when no file is there (nothing, a link to nothing, a folder), or undefined on failure.
 */
async function showFile(cwd: string, sha: string, path: string): Promise<string | typeof ABSENT | undefined> {
  const spec = `${sha}:./${path.replace(/^\.\//, '')}`
  if (spec.includes('\n')) return undefined
  const r = await git(cwd, ['cat-file', '--batch', '--follow-symlinks'], 60_000, `${spec}\n`)
  return r.ok ? shownFile(r.stdout) : undefined
}

/** What `git cat-file --batch --follow-symlinks` printed for one file, as showFile answers. */
function shownFile(out: string): string | typeof ABSENT | undefined {
  const eol = out.indexOf('\n')
  const header = eol < 0 ? out : out.slice(0, eol)
  const found = /^[0-9a-f]+ (\w+) \d+$/.exec(header)
  if (found) return found[1] === 'blob' ? out.slice(eol + 1, -1) : ABSENT
  if (/ missing$|^(dangling|notdir) /.test(header)) return ABSENT
  // `loop`, or `symlink` to a path outside the repository.
  return undefined
}

/**
 * The usual case in one git process instead of three: the base commit is in the checkout, so its
 * full SHA and the manifest there come from one `cat-file --batch-command`. Undefined whenever that
 * cannot say (no checkout, the commit missing, a git older than 2.36, a link leaving the
 * repository): the step-by-step reading below then decides, as it always did.
 */
async function readInCheckout(
  cwd: string,
  ref: string,
  path: string
): Promise<{ sha: string; text: string | typeof ABSENT } | undefined> {
  const commit = `${ref}^{commit}`
  const file = `${commit}:./${path.replace(/^\.\//, '')}`
  if (/[\r\n]/.test(file)) return undefined
  const r = await git(
    cwd,
    ['cat-file', '--batch-command', '--follow-symlinks'],
    60_000,
    `info ${commit}\ncontents ${file}\n`
  )
  const info = r.ok ? /^([0-9a-f]{40,64}) commit \d+\n/.exec(r.stdout) : null
  if (!info) return undefined
  const text = shownFile(r.stdout.slice(info[0].length))
  return text === undefined ? undefined : { sha: info[1] as string, text }
}

/** The repository-relative path of the manifest (the workspace may be a subfolder of the repository). */
async function repoPath(cwd: string, path: string): Promise<string> {
  const r = await git(cwd, ['rev-parse', '--show-prefix'])
  const prefix = r.ok ? r.stdout.trim() : ''
  return `${prefix}${path.replace(/^\.\//, '')}`
}

/**
 * The manifest at the base commit as the checkout holds it (one git process, nothing fetched), or
 * undefined when the checkout cannot say (a shallow clone without the commit, no git): the first
 * step of `readBaseManifest`, which the engine starts early, while GitHub is asked for the record.
 */
export async function readBaseInCheckout(
  choice: BaseChoice,
  opts: Pick<ReadBaseOptions, 'workspace' | 'manifest'>
): Promise<BaseManifest | undefined> {
  if (choice.kind === 'none') return { description: `none (${choice.why})`, source: 'none' }
  const { workspace: cwd, manifest } = opts
  const quick = await readInCheckout(cwd, choice.kind === 'commit' ? choice.ref : `${choice.of}^1`, manifest)
  if (!quick) return undefined
  const description = `${short(quick.sha)} (${choice.why})`
  if (quick.text === ABSENT)
    return { sha: quick.sha, description: `${description}, no ${manifest} there`, source: 'git' }
  return { text: quick.text, sha: quick.sha, description, source: 'git' }
}

/**
 * Read the manifest as it was at the base commit: from git, fetching the commit when the
 * checkout is shallow, else through the GitHub contents API. A base without the file (or no
 * base at all) gives an empty manifest; when nothing works, the error says how to fix the workflow.
 */
export async function readBaseManifest(
  choice: BaseChoice,
  opts: ReadBaseOptions,
  /** `readBaseInCheckout(choice)` when it was started already. */
  inCheckout: Promise<BaseManifest | undefined> = readBaseInCheckout(choice, opts)
): Promise<BaseManifest> {
  const { workspace: cwd, manifest, github } = opts
  const log = opts.log ?? (() => {})
  if (choice.kind === 'none') return { description: `none (${choice.why})`, source: 'none' }
  const quick = await inCheckout
  if (quick) return quick

  const inRepo = await isGitRepo(cwd)
  let sha: string | undefined
  let fetched = false

  if (inRepo) {
    if (choice.kind === 'commit') {
      sha = await resolveCommit(cwd, choice.ref)
      if (!sha) {
        log(`Base commit ${short(choice.ref)} is not in the checkout; fetching it.`)
        const f = await git(cwd, [
          'fetch',
          '--no-tags',
          '--no-recurse-submodules',
          '--depth=1',
          'origin',
          choice.ref
        ])
        if (f.ok) {
          sha = (await resolveCommit(cwd, choice.ref)) ?? (await resolveCommit(cwd, 'FETCH_HEAD'))
          fetched = sha !== undefined
        }
      }
    } else {
      const known = await resolveCommit(cwd, choice.of)
      const head = known ?? choice.of
      sha = await resolveCommit(cwd, `${head}^1`)
      if (!sha) {
        const shallow = await isShallow(cwd)
        // Only a commit the checkout holds, with its whole history, shows it has no parent.
        if (known && !shallow) {
          return { description: `none (${short(head)} has no parent)`, source: 'none' }
        }
        log(
          known
            ? `The checkout is shallow; fetching the parent of ${short(head)}.`
            : `Commit ${short(head)} is not in the checkout; fetching it and its parent.`
        )
        const f = await git(cwd, [
          'fetch',
          '--no-tags',
          '--no-recurse-submodules',
          ...(shallow ? ['--depth=2'] : []),
          'origin',
          head
        ])
        if (f.ok) {
          sha = await resolveCommit(cwd, `${head}^1`)
          fetched = sha !== undefined
          if (!sha) return { description: `none (${short(head)} has no parent)`, source: 'none' }
        }
      }
    }
    if (sha) {
      const text = await showFile(cwd, sha, manifest)
      const description = `${short(sha)} (${choice.why})`
      const source = fetched ? 'git-fetch' : 'git'
      if (text === ABSENT) return { sha, description: `${description}, no ${manifest} there`, source }
      if (text !== undefined) return { text, sha, description, source }
    }
  }

  // Shallow or absent checkout without the commit: the GitHub contents API.
  if (github) {
    let unknown = false
    try {
      let ref: string | undefined
      if (choice.kind === 'commit') {
        // A ref GitHub does not know must not read as "no manifest there" (the contents API answers 404 for both).
        ref = await github.getCommit(choice.ref)
        unknown = ref === undefined
      }
      if (choice.kind === 'parent') {
        const head = HEX_SHA.test(choice.of) ? choice.of : undefined
        if (head) {
          ref = await github.getParent(head)
          if (!ref) return { description: `none (${short(head)} has no parent)`, source: 'none' }
        }
      }
      if (ref) {
        const path = inRepo ? await repoPath(cwd, manifest) : manifest.replace(/^\.\//, '')
        const text = await github.getContent(path, ref)
        const description = `${short(ref)} (${choice.why})`
        if (text === undefined)
          return { sha: ref, description: `${description}, no ${manifest} there`, source: 'github-api' }
        return { text, sha: ref, description, source: 'github-api' }
      }
    } catch (e) {
      log(`Reading the base manifest through the GitHub API failed: ${(e as Error).message}`)
    }
    if (unknown && choice.kind === 'commit')
      throw new BaseReadError(
        `Could not read ${manifest} at ${choice.ref} (${choice.why}): GitHub knows no commit, branch or tag '${choice.ref}' in this repository.` +
          (choice.why.startsWith('base-ref')
            ? ` Set 'base-ref' to a commit SHA, branch or tag of this repository.`
            : '')
      )
  }

  const what =
    choice.kind === 'commit'
      ? `commit ${short(choice.ref)} (${choice.why})`
      : `the parent of ${short(choice.of)}`
  const api = `grant 'permissions: contents: read' so the action can read the base through the API`
  if (!inRepo) {
    const r = await git(cwd, ['rev-parse', '--is-inside-work-tree'])
    const why =
      r.stderr
        .trim()
        .split('\n')[0]
        ?.replace(/^fatal: /, '') || 'git says no'
    throw new BaseReadError(
      `Could not read ${manifest} at ${what}: the workspace ${cwd} is not a git checkout (${why}), and the GitHub API could not read it. ` +
        `Fix the workflow: run actions/checkout (with 'fetch-depth: 0') before this step, or ${api}.`
    )
  }
  throw new BaseReadError(
    `Could not read ${manifest} at ${what}: the checkout lacks that commit and it could not be fetched or read through the GitHub API. ` +
      `Fix the workflow: give actions/checkout 'fetch-depth: 0', or ${api}.` +
      (choice.kind === 'commit' && choice.why.startsWith('base-ref')
        ? ` If it is not that, check that 'base-ref' names a commit SHA, branch or tag of this repository.`
        : '')
  )
}
