import { getOctokit } from '@actions/github'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chooseBase } from '../../src/git/base-ref.js'
import { githubFiles } from '../../src/git/github-files.js'
import { BaseReadError, readBaseManifest, type GitHubFiles } from '../../src/git/read-base.js'
import { startFakeGitHub } from '../../test-support/fake-github.js'

const sh = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t'
    }
  }).trim()

describe('chooseBase', () => {
  it('chooses the documented base for each trigger', () => {
    expect(chooseBase('abc123', { eventName: 'push', payload: { before: 'f00d' } })).toMatchObject({
      kind: 'commit',
      ref: 'abc123'
    })
    expect(
      chooseBase(undefined, {
        eventName: 'pull_request',
        payload: { pull_request: { base: { sha: 'b4se' } } }
      })
    ).toMatchObject({ kind: 'commit', ref: 'b4se' })
    expect(
      chooseBase(undefined, {
        eventName: 'pull_request_target',
        payload: { pull_request: { base: { sha: 'b4se' } } }
      })
    ).toMatchObject({ ref: 'b4se' })
    expect(
      chooseBase(undefined, { eventName: 'push', payload: { before: 'bef0re' }, sha: 'head' })
    ).toMatchObject({ kind: 'commit', ref: 'bef0re' })
    expect(
      chooseBase(undefined, {
        eventName: 'push',
        payload: { before: '0000000000000000000000000000000000000000' },
        sha: 'head'
      })
    ).toMatchObject({ kind: 'parent', of: 'head' })
    expect(chooseBase(undefined, { eventName: 'workflow_dispatch', payload: {}, sha: 'head' })).toMatchObject(
      { kind: 'parent', of: 'head' }
    )
    expect(chooseBase(undefined, { eventName: 'schedule', payload: {} })).toMatchObject({
      kind: 'parent',
      of: 'HEAD'
    })
  })
  it('ignores malformed payload values instead of passing them to git', () => {
    expect(
      chooseBase(undefined, { eventName: 'push', payload: { before: '--upload-pack=evil' }, sha: 'abc' })
    ).toMatchObject({ kind: 'parent', of: 'abc' })
    expect(
      chooseBase(undefined, { eventName: 'pull_request', payload: { pull_request: 'nope' }, sha: 'abc' })
    ).toMatchObject({ kind: 'parent' })
  })
})

describe('readBaseManifest', () => {
  let dir: string
  let origin: string
  let first: string
  let second: string
  let third: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rcd-git-'))
    origin = join(dir, 'origin')
    sh(dir, 'init', '-q', '-b', 'main', origin)
    writeFileSync(join(origin, 'README'), 'x')
    sh(origin, 'add', '.')
    sh(origin, 'commit', '-qm', 'first, no manifest')
    first = sh(origin, 'rev-parse', 'HEAD')
    writeFileSync(join(origin, 'domains.yml'), 'domains: [a.com]\n')
    sh(origin, 'add', '.')
    sh(origin, 'commit', '-qm', 'second')
    second = sh(origin, 'rev-parse', 'HEAD')
    writeFileSync(join(origin, 'domains.yml'), 'domains: [a.com, b.com]\n')
    sh(origin, 'commit', '-qam', 'third')
    third = sh(origin, 'rev-parse', 'HEAD')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads the file at a commit with git show', async () => {
    const b = await readBaseManifest(
      { kind: 'commit', ref: second, why: 'test' },
      { workspace: origin, manifest: 'domains.yml' }
    )
    expect(b).toMatchObject({ text: 'domains: [a.com]\n', sha: second, source: 'git' })
  })
  it('gives an empty base when the file is absent there, or there is no parent', async () => {
    const absent = await readBaseManifest(
      { kind: 'commit', ref: first, why: 'test' },
      { workspace: origin, manifest: 'domains.yml' }
    )
    expect(absent.text).toBeUndefined()
    expect(absent.description).toMatch(/no domains.yml there/)
    const root = await readBaseManifest(
      { kind: 'parent', of: first, why: 'parent' },
      { workspace: origin, manifest: 'domains.yml' }
    )
    expect(root).toMatchObject({ source: 'none' })
    const parent = await readBaseManifest(
      { kind: 'parent', of: third, why: 'parent' },
      { workspace: origin, manifest: 'domains.yml' }
    )
    expect(parent).toMatchObject({ sha: second, text: 'domains: [a.com]\n' })
  })
  it('fetches a commit a shallow clone lacks, and the parent of a shallow head', async () => {
    const shallow = join(dir, 'shallow')
    sh(dir, 'clone', '-q', '--depth=1', `file://${origin}`, shallow)
    expect(sh(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true')
    const byCommit = await readBaseManifest(
      { kind: 'commit', ref: second, why: 'pr base' },
      { workspace: shallow, manifest: 'domains.yml' }
    )
    expect(byCommit).toMatchObject({ text: 'domains: [a.com]\n', source: 'git-fetch' })
    const shallow2 = join(dir, 'shallow2')
    sh(dir, 'clone', '-q', '--depth=1', `file://${origin}`, shallow2)
    const byParent = await readBaseManifest(
      { kind: 'parent', of: third, why: 'parent' },
      { workspace: shallow2, manifest: 'domains.yml' }
    )
    expect(byParent).toMatchObject({ text: 'domains: [a.com]\n', sha: second, source: 'git-fetch' })
  })
  it('falls back to the GitHub contents API when fetching fails, and says how to fix the workflow when nothing works', async () => {
    const lone = join(dir, 'lone')
    sh(dir, 'clone', '-q', '--depth=1', `file://${origin}`, lone)
    sh(lone, 'remote', 'set-url', 'origin', join(dir, 'nowhere'))
    const asked: string[] = []
    const github: GitHubFiles = {
      getContent: async (path, ref) => {
        asked.push(`${path}@${ref}`)
        return 'domains: [api.com]\n'
      },
      getParent: async () => second,
      getCommit: async ref => ref
    }
    const viaApi = await readBaseManifest(
      { kind: 'commit', ref: second, why: 'pr base' },
      { workspace: lone, manifest: 'domains.yml', github }
    )
    expect(viaApi).toMatchObject({ text: 'domains: [api.com]\n', source: 'github-api' })
    expect(asked).toEqual([`domains.yml@${second}`])
    await expect(
      readBaseManifest(
        { kind: 'commit', ref: second, why: 'pr base' },
        { workspace: lone, manifest: 'domains.yml' }
      )
    ).rejects.toThrow(BaseReadError)
    await expect(
      readBaseManifest(
        { kind: 'commit', ref: second, why: 'pr base' },
        { workspace: lone, manifest: 'domains.yml' }
      )
    ).rejects.toThrow(/fetch-depth: 0.*contents: read/)
  })
  it('follows a symlinked manifest (or folder) at the base, as reading the working tree does', async () => {
    const repo = join(dir, 'links')
    sh(dir, 'init', '-q', '-b', 'main', repo)
    mkdirSync(join(repo, 'config'))
    writeFileSync(join(repo, 'config', 'domains.yml'), 'domains: [linked.com]\n')
    symlinkSync('config/domains.yml', join(repo, 'domains.yml'))
    symlinkSync('config', join(repo, 'deploy'))
    symlinkSync('nowhere.yml', join(repo, 'dangling.yml'))
    sh(repo, 'add', '-A')
    sh(repo, 'commit', '-qm', 'links')
    const base = sh(repo, 'rev-parse', 'HEAD')
    const read = (manifest: string) =>
      readBaseManifest({ kind: 'commit', ref: base, why: 'test' }, { workspace: repo, manifest })
    expect(await read('domains.yml')).toMatchObject({ text: 'domains: [linked.com]\n', source: 'git' })
    expect(await read('deploy/domains.yml')).toMatchObject({ text: 'domains: [linked.com]\n' })
    for (const absent of ['dangling.yml', 'config', 'nothing.yml']) {
      const b = await read(absent)
      expect(b.text).toBeUndefined()
      expect(b.description).toMatch(/, no .* there$/)
    }
  })
  it('a commit the checkout does not hold is not taken for a root commit', async () => {
    // A complete (not shallow) clone made before `third` was committed: its parent is unknown here, not absent.
    const oldClone = (name: string): string => {
      const path = join(dir, name)
      sh(dir, 'clone', '-q', '--no-local', origin, path)
      sh(path, 'reset', '-q', '--hard', second)
      sh(path, 'update-ref', '-d', 'refs/remotes/origin/main')
      sh(path, 'reflog', 'expire', '--expire=now', '--all')
      sh(path, 'gc', '-q', '--prune=now')
      return path
    }
    const full = oldClone('full-old')
    expect(sh(full, 'rev-parse', '--is-shallow-repository')).toBe('false')
    expect(() => sh(full, 'cat-file', '-e', `${third}^{commit}`)).toThrow()
    const fetched = await readBaseManifest(
      { kind: 'parent', of: third, why: 'the parent commit' },
      { workspace: full, manifest: 'domains.yml' }
    )
    expect(fetched).toMatchObject({ sha: second, text: 'domains: [a.com]\n', source: 'git-fetch' })
    expect(sh(full, 'rev-parse', '--is-shallow-repository')).toBe('false')

    const cut = oldClone('full-old-cut')
    sh(cut, 'remote', 'set-url', 'origin', join(dir, 'nowhere'))
    await expect(
      readBaseManifest(
        { kind: 'parent', of: third, why: 'the parent commit' },
        { workspace: cut, manifest: 'domains.yml' }
      )
    ).rejects.toThrow(/fetch-depth: 0.*contents: read/)
  })
  it('a base GitHub knows no commit for is an error, not an empty base (the contents API answers 404 for both)', async () => {
    const lone = join(dir, 'lone-bad-ref')
    sh(dir, 'clone', '-q', '--depth=1', `file://${origin}`, lone)
    sh(lone, 'remote', 'set-url', 'origin', join(dir, 'nowhere'))
    const gh = await startFakeGitHub()
    try {
      gh.files.set(`domains.yml@${second}`, 'domains: [a.com]\n')
      const quiet = { debug() {}, info() {}, warn() {}, error() {} }
      const github = githubFiles(getOctokit('t', { baseUrl: gh.url, log: quiet }), 'o', 'r')
      for (const ref of ['no-such-branch', 'HEAD~1']) {
        await expect(
          readBaseManifest(
            { kind: 'commit', ref, why: `base-ref ${ref}` },
            { workspace: lone, manifest: 'domains.yml', github }
          )
        ).rejects.toThrow(
          /GitHub knows no commit, branch or tag .*Set 'base-ref' to a commit SHA, branch or tag/
        )
      }
      // A commit that has vanished (a force-pushed `before`) is not "no manifest there" either.
      await expect(
        readBaseManifest(
          { kind: 'commit', ref: 'f'.repeat(40), why: 'the commit before the push' },
          { workspace: lone, manifest: 'domains.yml', github }
        )
      ).rejects.toThrow(BaseReadError)
    } finally {
      await gh.close()
    }
  })
  it('reads a file through the contents API whether Octokit hands the raw body over as text or as bytes', async () => {
    const gh = await startFakeGitHub()
    try {
      // The fake answers `application/vnd.github.raw` without a charset, which Octokit delivers as an ArrayBuffer.
      gh.files.set(`config/domains.yml@${second}`, 'domains: [bücher.example]\n')
      const quiet = { debug() {}, info() {}, warn() {}, error() {} }
      const github = githubFiles(getOctokit('t', { baseUrl: gh.url, log: quiet }), 'o', 'r')
      expect(await github.getContent('config/domains.yml', second)).toBe('domains: [bücher.example]\n')
      expect(await github.getContent('nothing.yml', second)).toBeUndefined()
    } finally {
      await gh.close()
    }
  })
  it('when nothing works, the error names the cause: no git checkout at all, or a base-ref that names nothing', async () => {
    const empty = join(dir, 'not-a-repo')
    mkdirSync(empty)
    const err = await readBaseManifest(
      { kind: 'commit', ref: second, why: 'the commit before the push' },
      { workspace: empty, manifest: 'domains.yml' }
    ).catch((e: Error) => e)
    expect(err).toBeInstanceOf(BaseReadError)
    expect((err as Error).message).toMatch(/is not a git checkout \(not a git repository/)
    expect((err as Error).message).toMatch(/run actions\/checkout .*contents: read/)

    const bad = await readBaseManifest(
      { kind: 'commit', ref: 'no-such-branch', why: 'base-ref no-such-branch' },
      { workspace: origin, manifest: 'domains.yml' }
    ).catch((e: Error) => e)
    expect((bad as Error).message).toMatch(
      /fetch-depth: 0.*contents: read.*check that 'base-ref' names a commit SHA, branch or tag/
    )
  })
})
