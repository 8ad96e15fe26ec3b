import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { formatAnnotation, annotationProperties } from '../../src/manifest/annotations.js'
import { matchesGlob, normaliseDomain, isValidDomain } from '../../src/manifest/normalise.js'
import { parseManifest, suggestKey } from '../../src/manifest/parse.js'
import { ManifestError } from '../../src/manifest/types.js'
import { renderSchema, SCHEMA_PATH } from '../../scripts/generate-schema.js'

const validDir = join(import.meta.dirname, '..', 'fixtures', 'manifests', 'valid')

/** Positions of apps are checked through their domains; drop them for a readable comparison. */
const withoutAppPos = (m: ReturnType<typeof parseManifest>) => ({
  ...m,
  apps: m.apps.map(({ pos: _pos, ...a }) => a)
})

describe('valid manifests', () => {
  const files = readdirSync(validDir).filter(f => f.endsWith('.yml'))
  it.each(files)('%s parses to its expected normalised form', file => {
    const expected = JSON.parse(
      readFileSync(join(validDir, file.replace(/\.yml$/, '.expected.json')), 'utf8')
    )
    const m = parseManifest(readFileSync(join(validDir, file), 'utf8'), { file, serverId: 1, appId: 2 })
    expect(withoutAppPos(m)).toEqual(expected)
  })
  it('treats an empty file as no domains', () => {
    expect(parseManifest('', { file: 'd.yml' })).toEqual({ form: 'empty', apps: [] })
  })
})

describe('normaliseDomain', () => {
  it.each([
    ['  Example.COM. ', 'example.com', undefined],
    ['bücher.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['XN--BCHER-KVA.example', 'xn--bcher-kva.example', 'bücher.example'],
    ['ｅｘａｍｐｌｅ.com', 'example.com', undefined],
    ['faß.de', 'xn--fa-hia.de', 'faß.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai', 'пример.рф']
  ])('%j → %s', (raw, ascii, unicode) => {
    expect(normaliseDomain(raw)).toEqual(unicode ? { ascii, unicode } : { ascii })
  })
  it('gives the bare-host hint for URLs', () => {
    expect(normaliseDomain('https://example.com/')).toMatchObject({
      hint: 'write the bare host name: example.com'
    })
  })
  it('is idempotent, and its results are valid (property)', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/)
    const name = fc.tuple(
      fc.array(label, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('com', 'example', 'de', 'рф', 'ü', 'xn--p1ai'),
      fc.boolean()
    )
    fc.assert(
      fc.property(name, ([labels, tld, dot]) => {
        const once = normaliseDomain(`${labels.join('.')}.${tld}${dot ? '.' : ''}`)
        if ('error' in once) return
        expect(normaliseDomain(once.ascii)).toEqual(once)
        expect(isValidDomain(once.ascii)).toBe(true)
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), s => {
        const once = normaliseDomain(s)
        if (!('error' in once)) expect(normaliseDomain(once.ascii)).toEqual(once)
      }),
      { numRuns: 500 }
    )
  })
})

describe('matchesGlob', () => {
  it('matches whole names, case-insensitively, with * across labels', () => {
    expect(matchesGlob('a.staging.example.com', '*.staging.example.com')).toBe(true)
    expect(matchesGlob('x.y.staging.example.com', '*.staging.example.com')).toBe(true)
    expect(matchesGlob('staging.example.com', '*.staging.example.com')).toBe(false)
    expect(matchesGlob('SHOP.example.com', 'shop.*')).toBe(true)
    expect(matchesGlob('shopexample.com', 'shop.example.com')).toBe(false)
  })
})

describe('suggestKey', () => {
  it('suggests the nearest known key for typos, transpositions and truncations', () => {
    expect(suggestKey('domain', ['domains', 'apps'])).toBe('domains')
    expect(suggestKey('domian', ['domains', 'apps'])).toBe('domains')
    expect(suggestKey('redirect', ['www', 'redirection'])).toBe('redirection')
    expect(suggestKey('zzzz', ['www', 'redirection'])).toBeUndefined()
  })
})

describe('the parser never throws anything but ManifestError', () => {
  const assertOnlyManifestError = (text: string) => {
    try {
      parseManifest(text, { file: 'domains.yml', serverId: 1, appId: 2 })
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestError)
      for (const p of (e as ManifestError).problems) {
        expect(p.line).toBeGreaterThanOrEqual(1)
        expect(p.col).toBeGreaterThanOrEqual(1)
        expect(p.message.length).toBeGreaterThan(0)
      }
    }
  }
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), assertOnlyManifestError), { numRuns: 1000 })
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), assertOnlyManifestError), {
      numRuns: 300
    })
  })
  it('on arbitrary YAML documents shaped like manifests', () => {
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('example.com', 'www.example.com', 'bücher.example', 'none', 'www')
    )
    const key = fc.constantFrom(
      'version',
      'apps',
      'domains',
      'server',
      'app',
      'name',
      'www',
      'redirection',
      'ignore',
      'exclusive',
      'ssl',
      'label',
      'defaults',
      'domian'
    )
    const value = fc.letrec(tie => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 5 })
      )
    })).node
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), doc => assertOnlyManifestError(stringify(doc))),
      { numRuns: 500 }
    )
  })
})

describe('domains.schema.json', () => {
  it('is the committed output of the zod definition', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderSchema())
  })
  it('accepts what the parser accepts and names the forms', () => {
    const schema = JSON.parse(renderSchema()) as { anyOf: unknown[] }
    expect(schema.anyOf).toHaveLength(2)
    expect(JSON.stringify(schema)).toContain('"non-www"')
  })
})

describe('annotations', () => {
  it('formats a workflow command with escaped properties and data', () => {
    const p = { file: 'config/domains,prod.yml', line: 3, col: 5, message: '50% bad\nnext: line' }
    expect(formatAnnotation(p)).toBe(
      '::error file=config/domains%2Cprod.yml,line=3,col=5::50%25 bad%0Anext: line'
    )
    expect(annotationProperties(p)).toEqual({
      title: 'domains manifest',
      file: 'config/domains,prod.yml',
      startLine: 3,
      startColumn: 5
    })
  })
})

describe('speed', () => {
  it('parses 10,000 domains in 100 apps', () => {
    const apps = Array.from({ length: 100 }, (_, a) => ({
      server: 1,
      app: a + 1,
      domains: Array.from({ length: 100 }, (_, d) => `d${d}.app${a}.example.com`)
    }))
    const m = parseManifest(stringify({ version: 1, apps }), { file: 'domains.yml' })
    expect(m.apps.reduce((n, a) => n + a.domains.length, 0)).toBe(10_000)
  })
})

describe('domains.schema.json validates like the parser', () => {
  it('accepts the valid fixtures and rejects structural mistakes', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js')
    const ajv = new Ajv2020({ strict: false })
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')))
    const { parse } = await import('yaml')
    for (const f of readdirSync(validDir).filter(x => x.endsWith('.yml') && !x.startsWith('comments-only'))) {
      expect([f, validate(parse(readFileSync(join(validDir, f), 'utf8')))]).toEqual([f, true])
    }
    for (const bad of [
      { version: 2, apps: [] },
      { apps: [], domain: [] },
      { apps: [{ server: 1, app: 2, domain: [] }] },
      { apps: [{ server: 0, app: 2, domains: [] }] },
      { domains: [{ name: 'a.com', wwww: true }] }
    ]) {
      expect([bad, validate(bad)]).toEqual([bad, false])
    }
  })
})
