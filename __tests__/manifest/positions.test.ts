/**
 * Every domain's position (line, column) points at where its name is written, whatever the
 * entry's style; the positions are found in one walk of the YAML nodes.
 */
import fc from 'fast-check'
import { parseManifest } from '../../src/manifest/parse.js'
import type { ManifestError, ManifestProblem } from '../../src/manifest/types.js'

type Style = 'plain' | 'quoted' | 'mapping' | 'mapping-name-last'

function entry(name: string, style: Style, indent: string): string {
  switch (style) {
    case 'plain':
      return `${indent}- ${name}\n`
    case 'quoted':
      return `${indent}- "${name}"\n`
    case 'mapping':
      return `${indent}- name: ${name}\n${indent}  www: false\n`
    case 'mapping-name-last':
      return `${indent}- redirection: none\n${indent}  name: '${name}'\n`
  }
}

/** The text at a position (1-based line and column). */
const at = (text: string, line: number, col: number): string =>
  (text.split('\n')[line - 1] ?? '').slice(col - 1)

describe('domain positions', () => {
  it('point at each name as written, in block and flow lists of any entry style (property)', () => {
    const style = fc.constantFrom<Style>('plain', 'quoted', 'mapping', 'mapping-name-last')
    const app = fc.record({
      flow: fc.boolean(),
      styles: fc.array(style, { minLength: 1, maxLength: 6 })
    })
    fc.assert(
      fc.property(fc.array(app, { minLength: 1, maxLength: 5 }), apps => {
        let text = 'version: 1\napps:\n'
        const written: string[] = []
        apps.forEach((a, ai) => {
          text += `  - server: 1\n    app: ${ai + 1}\n`
          const names = a.styles.map((_, di) => `d${di}.app${ai}.example.com`)
          written.push(...names)
          if (a.flow) text += `    domains: [${names.join(', ')}]\n`
          else
            text += `    domains:\n${names.map((n, di) => entry(n, a.styles[di] as Style, '      ')).join('')}`
        })
        const m = parseManifest(text, { file: 'd.yml' })
        const domains = m.apps.flatMap(a => a.domains)
        expect(domains.map(d => d.name)).toEqual(written)
        for (const d of domains)
          expect(at(text, d.pos.line, d.pos.col).replace(/^["']/, '')).toMatch(
            new RegExp(`^${d.name.replace(/\./g, '\\.')}`)
          )
      }),
      { numRuns: 200 }
    )
  })

  it('a list or an entry copied with an alias points at the alias', () => {
    const text = [
      'version: 1',
      'apps:',
      '  - server: 1',
      '    app: 1',
      '    domains: &list',
      '      - a.example.com',
      '      - name: b.example.com',
      '  - server: 1',
      '    app: 2',
      '    domains:',
      '      - c.example.com',
      '      - &e { name: d.example.com }',
      '  - server: 2',
      '    app: 3',
      '    domains: [e.example.com]',
      ''
    ].join('\n')
    const m = parseManifest(text, { file: 'd.yml' })
    const pos = (name: string) => m.apps.flatMap(a => a.domains).find(d => d.name === name)?.pos
    expect(pos('a.example.com')).toEqual({ line: 6, col: 9 })
    expect(pos('b.example.com')).toEqual({ line: 7, col: 15 })
    expect(pos('c.example.com')).toEqual({ line: 11, col: 9 })
    expect(pos('d.example.com')).toEqual({ line: 12, col: 20 })
    expect(pos('e.example.com')).toEqual({ line: 15, col: 15 })
    // The same list again through an alias: the duplicates are reported at the alias.
    const copied = `${text}  - server: 3\n    app: 4\n    domains: *list\n`
    let problems: ManifestProblem[] = []
    try {
      parseManifest(copied, { file: 'd.yml' })
    } catch (e) {
      problems = (e as ManifestError).problems
    }
    expect(problems.filter(p => p.line === 18 && p.col === 14).map(p => p.message)).toEqual([
      expect.stringMatching(/^a\.example\.com is listed twice; it is already at line 6, column 9/),
      expect.stringMatching(/^b\.example\.com is listed twice; it is already at line 7, column 15/)
    ])
  })
})
