/**
 * The ASCII fast path and the cache of name normalisation give exactly what the full rules give
 * (url.domainToASCII and the checks around it), for plain, tricky and non-ASCII names.
 */
import fc from 'fast-check'
import { normaliseDomain, normaliseDomainFully } from '../../src/manifest/normalise.js'
import { parseManifest } from '../../src/manifest/parse.js'

const agrees = (raw: string): void => {
  expect(normaliseDomain(raw)).toEqual(normaliseDomainFully(raw))
}

describe('normaliseDomain: fast path and cache', () => {
  it.each([
    'example.com',
    '  Shop.Example.COM. ',
    'a-b.c-d.example',
    'xn--bcher-kva.example',
    'XN--BCHER-KVA.example',
    'xn--.example',
    'xn--zz.example',
    'ab--cd.example',
    'example.0x1f',
    'example.0x',
    'example.0xg',
    'example.123',
    'example.1a',
    '1.2.3.4',
    '1.2.3.4.',
    'localhost',
    'example.com..',
    '.example.com',
    '-a.example.com',
    'a-.example.com',
    `${'a'.repeat(63)}.example.com`,
    `${'a'.repeat(64)}.example.com`,
    `${'a.'.repeat(125)}com`,
    `${'a.'.repeat(126)}com`,
    `${'a.'.repeat(125)}com.`,
    'bücher.example',
    'ｅｘａｍｐｌｅ.com',
    'e\u212Axample.com',
    'exa\u00ADmple.com',
    'example\u3002com',
    'https://example.com/',
    'example.com:8080',
    '*.example.com',
    '[::1]',
    'ex%41mple.com'
  ])('%j is normalised as by the full rules', raw => agrees(raw))

  it('agrees with the full rules on random plain names, mixed case, odd top-level labels (property)', () => {
    const plain = fc.stringMatching(/^[a-zA-Z0-9-]{0,65}$/)
    const label = fc.oneof(
      plain,
      plain.map(l => `xn--${l}`),
      fc.constantFrom('xn--bcher-kva', 'XN--P1AI')
    )
    const tld = fc.oneof(
      plain,
      fc.constantFrom('com', 'COM', '0x1f', '0x', '0X1', '123', 'xn--p1ai', 'xn--', 'x1', '1x')
    )
    const name = fc.tuple(
      fc.array(label, { minLength: 0, maxLength: 6 }),
      tld,
      fc.constantFrom('', '.', '..', ' ')
    )
    fc.assert(
      fc.property(name, ([labels, top, end]) => agrees(`${[...labels, top].join('.')}${end}`)),
      { numRuns: 2000 }
    )
  })

  it('agrees with the full rules on random ASCII and non-ASCII text (property)', () => {
    const piece = fc.constantFrom(
      'a',
      'Z',
      '0',
      '9',
      '-',
      '.',
      'xn--',
      '0x',
      'ß',
      'ü',
      'ｅ',
      '\u212A',
      '\u00AD',
      '\u3002',
      'рф',
      ' ',
      '%',
      ':',
      '*',
      '/',
      '[',
      ']',
      '@'
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), parts => agrees(parts.join(''))),
      { numRuns: 2000 }
    )
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), s => agrees(s)),
      { numRuns: 1000 }
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), s => agrees(s)),
      { numRuns: 1000 }
    )
  })

  it('hands the same text the same (frozen) answer, so a second manifest reuses the first one’s work', () => {
    const first = normaliseDomain('Cached.Example.com')
    expect(normaliseDomain('Cached.Example.com')).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(normaliseDomain('cached.example.com')).toEqual(first)
    const bad = normaliseDomain('https://cached.example.com/')
    expect(normaliseDomain('https://cached.example.com/')).toBe(bad)
    expect(bad).toEqual(normaliseDomainFully('https://cached.example.com/'))
  })

  it('a manifest parsed twice gives equal results (the cache changes nothing)', () => {
    const text =
      'version: 1\napps:\n  - server: 1\n    app: 2\n    domains:\n      - Bücher.example\n      - WWW.example.com.\n'
    const once = parseManifest(text, { file: 'd.yml' })
    expect(parseManifest(text, { file: 'd.yml' })).toEqual(once)
    expect(once.apps[0]?.domains.map(d => [d.name, d.unicode])).toEqual([
      ['xn--bcher-kva.example', 'bücher.example'],
      ['www.example.com', undefined]
    ])
  })
})
