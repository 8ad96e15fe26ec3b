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
  it('reports a wide alias bomb without expanding it: 5,000 aliases of a 50-item list', () => {
    const text = `a: &a [${Array(50).fill('x').join(',')}]\nb: [${Array(5_000).fill('*a').join(',')}]\n`
    const [p] = problemsOf(text)
    expect(p?.message).toMatch(/aliases beyond the limit \(50,000 nodes/)
    expect(p).toMatchObject({ line: 2, col: 5 })
  })
  it('counts what aliases expand to, not how many there are: 5,000 aliases of one value are fine', () => {
    const names = Array.from({ length: 5_000 }, (_, i) => `      - { name: d${i}.example.com, www: *w }`)
    const text = `version: 1\ndefaults: { www: &w false }\napps:\n  - server: 1\n    app: 2\n    domains:\n${names.join('\n')}\n`
    expect(problemsOf(text)).toEqual([])
  })
  it('an alias inside its own anchor is refused, not expanded forever', () => {
    expect(problemsOf('a: &a [1, *a]\n')[0]?.message).toMatch(/aliases beyond the limit/)
  })
  it('a nested bomb of few aliases is refused by its size', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`
      )
    expect(problemsOf(`${levels.join('\n')}\n`)[0]?.message).toMatch(/aliases beyond the limit/)
  })
  it('flow collections nested deeper than 64 are refused before the parser recurses', () => {
    const text = `version: 1\napps: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`
    const [p] = problemsOf(text)
    expect(p?.message).toMatch(/nest more than 64 levels/)
    expect(p).toMatchObject({ line: 2, col: 71 })
    // Brackets inside quotes and comments do not count.
    expect(
      problemsOf(`version: 1 # ${'['.repeat(100)}\napps: []\nx: "${'{'.repeat(100)}"\n`)[0]?.message
    ).toMatch(/unknown key 'x'/)
  })
  it('a mapping of 80,000 keys, each unknown or repeated, is checked in linear time', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i % 20_000}: 1`).join('\n')
    const problems = problemsOf(`version: 1\napps: []\n${keys}\n`)
    expect(problems.filter(p => /duplicate key/.test(p.message))).toHaveLength(20_000)
    expect(problems.filter(p => /unknown key/.test(p.message))).toHaveLength(20_000)
  })
  it('suggests for short keys only, and a very long key costs no more than its length', () => {
    const long = `domainz${'x'.repeat(300_000)}`
    const [p] = problemsOf(`version: 1\napps: []\n? ${long}\n: 1\n`)
    expect(p?.message).toMatch(/unknown key/)
    expect(problemsOf('version: 1\napps: []\ndomian: []\n')[0]?.message).toMatch(/did you mean 'domains'/)
  })
  it('a duplicate key does not hide the file’s other problems', () => {
    const text =
      'version: 1\napps:\n  - server: 1\n    server: 2\n    app: 3\n    domains: [https://a.example.com/]\n'
    const messages = problemsOf(text).map(p => `${p.line}:${p.col} ${p.message}`)
    expect(messages).toEqual([
      "4:5 duplicate key 'server': a key may appear once in a mapping",
      expect.stringMatching(/^6:15 .*is a URL/)
    ])
  })
})
