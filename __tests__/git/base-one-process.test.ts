/**
 * Reading the base in a checkout that holds it takes one git process, and gives what the
 * step-by-step reading gives (which still runs where that one process cannot answer).
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readBaseManifest } from '../../src/git/read-base.js'
import { makeRepo, type TempRepo } from '../../test-support/git-repo.js'

const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
let shim: string
let repo: TempRepo
const savedPath = process.env.PATH

/** Put a `git` first on PATH that logs its arguments; `refuse` makes it fail like a git without --batch-command. */
function useShim(refuse: boolean): string {
  const log = join(shim, `log-${Math.random().toString(36).slice(2)}`)
  writeFileSync(log, '')
  writeFileSync(
    join(shim, 'git'),
    `#!/bin/sh\necho "$*" >> '${log}'\n` +
      (refuse ? `case "$*" in *--batch-command*) echo "unknown option" >&2; exit 129;; esac\n` : '') +
      `exec '${realGit}' "$@"\n`
  )
  chmodSync(join(shim, 'git'), 0o755)
  process.env.PATH = `${shim}:${savedPath}`
  return log
}
const calls = (log: string) => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean)

beforeAll(() => {
  shim = mkdtempSync(join(tmpdir(), 'rcd-git-shim-'))
  repo = makeRepo([
    { 'domains.yml': 'domains: [a.example.com]\n' },
    { 'domains.yml': 'domains: [ü.example]\n' },
    { 'README.md': 'x' }
  ])
})
afterAll(() => {
  process.env.PATH = savedPath
  rmSync(shim, { recursive: true, force: true })
  repo.cleanup()
})
afterEach(() => {
  process.env.PATH = savedPath
})

describe('the base commit is in the checkout', () => {
  it.each([
    [
      'a commit',
      () => ({ kind: 'commit' as const, ref: repo.shas[1] as string, why: 'the pull request base' })
    ],
    ['the parent', () => ({ kind: 'parent' as const, of: repo.shas[2] as string, why: 'the parent commit' })]
  ])('%s: one git process, and the same answer as the step-by-step reading', async (_, choice) => {
    const fallbackLog = useShim(true)
    const stepwise = await readBaseManifest(choice(), { workspace: repo.dir, manifest: 'domains.yml' })
    expect(calls(fallbackLog).length).toBeGreaterThan(1)
    const log = useShim(false)
    const once = await readBaseManifest(choice(), { workspace: repo.dir, manifest: 'domains.yml' })
    expect(calls(log)).toEqual(['cat-file --batch-command --follow-symlinks'])
    expect(once).toEqual({
      text: 'domains: [ü.example]\n',
      sha: repo.shas[1],
      description: `${repo.shas[1]?.slice(0, 7)} (${choice().why})`,
      source: 'git'
    })
    expect(stepwise).toEqual(once)
  })

  it('a base without the manifest: one git process, no text', async () => {
    const log = useShim(false)
    const r = await readBaseManifest(
      { kind: 'commit', ref: repo.shas[0] as string, why: 'base-ref x' },
      { workspace: repo.dir, manifest: 'other.yml' }
    )
    expect(calls(log)).toHaveLength(1)
    expect(r).toEqual({
      sha: repo.shas[0],
      description: `${repo.shas[0]?.slice(0, 7)} (base-ref x), no other.yml there`,
      source: 'git'
    })
  })
})
