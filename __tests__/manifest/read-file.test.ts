import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readHeadManifest } from '../../src/manifest/read-file.js'
import { ManifestError } from '../../src/manifest/types.js'

let root: string
let ws: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rcd-read-'))
  ws = join(root, 'ws')
  mkdirSync(join(ws, '.git'), { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'read',
    (e: unknown) => (e instanceof ManifestError ? (e.problems[0]?.message ?? '') : `threw ${String(e)}`)
  )

describe('readHeadManifest', () => {
  it('reads a regular file, and one reached through a link inside the workspace', async () => {
    writeFileSync(join(ws, 'real.yml'), 'version: 1\n')
    symlinkSync('real.yml', join(ws, 'domains.yml'))
    expect(await readHeadManifest(ws, 'domains.yml')).toBe('version: 1\n')
    expect(await readHeadManifest(ws, 'absent.yml')).toBeUndefined()
    expect(await readHeadManifest(ws, 'real.yml/below.yml')).toBeUndefined()
  })
  it('a workspace reached through a link is still the workspace', async () => {
    writeFileSync(join(ws, 'domains.yml'), 'apps: []\n')
    symlinkSync(ws, join(root, 'alias'))
    expect(await readHeadManifest(join(root, 'alias'), 'domains.yml')).toBe('apps: []\n')
  })
  it('exactly 1 MiB is read; one byte more is refused', async () => {
    writeFileSync(join(ws, 'a.yml'), Buffer.alloc(1024 * 1024, 0x20))
    expect((await readHeadManifest(ws, 'a.yml'))?.length).toBe(1024 * 1024)
    writeFileSync(join(ws, 'b.yml'), Buffer.alloc(1024 * 1024 + 1, 0x20))
    expect(await refusal(readHeadManifest(ws, 'b.yml'))).toMatch(/the limit is 1 MiB/)
  })
  it('refuses what is not a regular file inside the workspace, without reading it', async () => {
    execFileSync('mkfifo', [join(ws, 'fifo.yml')])
    expect(await refusal(readHeadManifest(ws, 'fifo.yml'))).toMatch(/is a FIFO/)
    mkdirSync(join(ws, 'dir.yml'))
    expect(await refusal(readHeadManifest(ws, 'dir.yml'))).toMatch(/is a directory/)
    writeFileSync(join(ws, '.git', 'config'), '[core]\n')
    expect(await refusal(readHeadManifest(ws, '.git/config'))).toMatch(/leads into \.git\//)
    symlinkSync('.git/config', join(ws, 'g.yml'))
    expect(await refusal(readHeadManifest(ws, 'g.yml'))).toMatch(/leads into \.git\//)
    writeFileSync(join(root, 'outside.yml'), 'x')
    symlinkSync('../outside.yml', join(ws, 'o.yml'))
    expect(await refusal(readHeadManifest(ws, 'o.yml'))).toMatch(/leads outside the workspace/)
    symlinkSync('l2.yml', join(ws, 'l1.yml'))
    symlinkSync('l1.yml', join(ws, 'l2.yml'))
    expect(await refusal(readHeadManifest(ws, 'l1.yml'))).toMatch(/loop of symbolic links/)
    symlinkSync('/dev/zero', join(ws, 'z.yml'))
    expect(await refusal(readHeadManifest(ws, 'z.yml'))).toMatch(/leads outside/)
  })
})
