/** A real git repository with a history of domains.yml, as a workspace for end-to-end runs and the demo. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const ENV = {
  GIT_AUTHOR_NAME: 'demo',
  GIT_AUTHOR_EMAIL: 'demo@example.com',
  GIT_COMMITTER_NAME: 'demo',
  GIT_COMMITTER_EMAIL: 'demo@example.com'
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe']
  }).trim()
}

export interface TempRepo {
  dir: string
  /** Commit SHAs, oldest first. */
  shas: string[]
  commit(files: Record<string, string | null>, message?: string): string
  cleanup(): void
}

/** Each commit maps paths to contents (null deletes). */
export function makeRepo(commits: Record<string, string | null>[], parent?: string): TempRepo {
  const root = parent ?? mkdtempSync(join(tmpdir(), 'rcd-repo-'))
  const dir = join(root, 'work')
  mkdirSync(dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  const repo: TempRepo = {
    dir,
    shas: [],
    commit(files, message = `commit ${repo.shas.length + 1}`) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path)
        if (content === null) rmSync(full, { force: true })
        else {
          mkdirSync(dirname(full), { recursive: true })
          writeFileSync(full, content)
        }
      }
      git(dir, 'add', '-A')
      git(dir, 'commit', '-q', '--allow-empty', '-m', message)
      const sha = git(dir, 'rev-parse', 'HEAD')
      repo.shas.push(sha)
      return sha
    },
    cleanup() {
      if (!parent) rmSync(root, { recursive: true, force: true })
    }
  }
  for (const c of commits) repo.commit(c)
  return repo
}

/** A shallow (depth 1) clone of `repo`, as actions/checkout makes by default. */
export function shallowClone(repo: TempRepo): string {
  const dir = join(dirname(repo.dir), `shallow-${Date.now()}-${Math.random().toString(36).slice(2)}`)
  git(dirname(repo.dir), 'clone', '-q', '--depth=1', `file://${repo.dir}`, dir)
  return dir
}
