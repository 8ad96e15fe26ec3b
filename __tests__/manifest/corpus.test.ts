/**
 * The malformed-manifest corpus: each file under fixtures/manifests/invalid states what it must
 * produce in header lines `# expect: LINE:COL message fragment` (and `# inputs: server-id=1 app-id=2`).
 * Every expected problem must be reported at exactly that place, and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseManifest } from '../../src/manifest/parse.js'
import { ManifestError, type ManifestProblem } from '../../src/manifest/types.js'

const dir = join(import.meta.dirname, '..', 'fixtures', 'manifests', 'invalid')
const files = readdirSync(dir)
  .filter(f => f.endsWith('.yml'))
  .sort()

function problemsOf(text: string, inputs: { serverId?: number; appId?: number } = {}): ManifestProblem[] {
  try {
    parseManifest(text, { file: 'domains.yml', ...inputs })
  } catch (e) {
    if (e instanceof ManifestError) return e.problems
    throw e
  }
  return []
}

describe('malformed manifest corpus', () => {
  it('has at least 80 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(80)
  })

  it.each(files)('%s', file => {
    const text = readFileSync(join(dir, file), 'utf8')
    const expects = [...text.matchAll(/^# expect: (\d+):(\d+) ?(.*)$/gm)].map(m => ({
      line: Number(m[1]),
      col: Number(m[2]),
      fragment: m[3] ?? ''
    }))
    const inputs = /^# inputs: server-id=(\d+) app-id=(\d+)$/m.exec(text)
    const problems = problemsOf(text, inputs ? { serverId: Number(inputs[1]), appId: Number(inputs[2]) } : {})
    expect(expects.length).toBeGreaterThan(0)
    expect(problems.map(p => `${p.line}:${p.col}`)).toEqual(expects.map(e => `${e.line}:${e.col}`))
    expects.forEach((e, i) => expect(problems[i]?.message).toContain(e.fragment))
    for (const p of problems) expect(p.file).toBe('domains.yml')
  })
})

describe('generated malformed inputs', () => {
  it('rejects a file over 1 MiB before parsing it', () => {
    const big = `version: 1\napps: []\n# ${'x'.repeat(1024 * 1024)}\n`
    const [p] = problemsOf(big)
    expect(p).toMatchObject({ line: 1, col: 1 })
    expect(p?.message).toMatch(/limit is 1 MiB/)
  })
  it('accepts a file just under 1 MiB', () => {
    const names = Array.from({ length: 30_000 }, (_, i) => `      - d${i}.example.com`).join('\n')
    const text = `version: 1\napps:\n  - server: 1\n    app: 2\n    domains:\n${names}\n`
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024)
    expect(problemsOf(text)).toEqual([])
  })
  it('rejects binary garbage as not text', () => {
    const garbage = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d
    ]).toString('latin1')
    expect(problemsOf(garbage)[0]?.message).toMatch(/not a text file/)
  })
  it('tolerates a byte-order mark', () => {
    expect(problemsOf('\uFEFFversion: 1\napps: []\n')).toEqual([])
  })
  it('reports a wide alias bomb without expanding it', () => {
    const text = `a: &a [${Array(50).fill('x').join(',')}]\nb: [${Array(200).fill('*a').join(',')}]\n`
    expect(problemsOf(text)[0]?.message).toMatch(/aliases beyond the limit/)
  })
})
