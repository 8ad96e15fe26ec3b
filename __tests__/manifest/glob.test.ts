/** `ignore` globs: the same answers as the obvious regular expression, in linear time. */
import fc from 'fast-check'
import { matchesGlob } from '../../src/manifest/glob.js'

/** The reference: a regular expression (fine for short inputs; exponential on pathological ones). */
function reference(name: string, glob: string): boolean {
  const re = glob
    .trim()
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`, 's').test(name.toLowerCase())
}

const letters = (chars: string, max: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength: max })

describe('matchesGlob', () => {
  it('agrees with the regular expression on random names and globs', () => {
    fc.assert(
      fc.property(letters('ab.', 12), letters('ab.*?', 8), (name, glob) => {
        expect(matchesGlob(name, glob)).toBe(reference(name, glob))
      }),
      { numRuns: 5_000 }
    )
  })
  it('is case-insensitive and whole-name', () => {
    expect(matchesGlob('A.Staging.Example.com', '*.staging.example.COM')).toBe(true)
    expect(matchesGlob('a.staging.example.com.evil', '*.staging.example.com')).toBe(false)
    expect(matchesGlob('shop.example.com', 'shop.example.com')).toBe(true)
    expect(matchesGlob('shop.example.co', 'shop.example.com')).toBe(false)
    expect(matchesGlob('x', '*')).toBe(true)
    expect(matchesGlob('ab', '?b')).toBe(true)
    expect(matchesGlob('abc', 'a*?c')).toBe(true)
    expect(matchesGlob('ac', 'a*?c')).toBe(false)
  })
  it('a pathological glob against a long name answers at once', () => {
    const glob = `${'*a'.repeat(5_000)}*b`
    const name = 'a'.repeat(50_000)
    const started = process.hrtime.bigint()
    expect(matchesGlob(name, glob)).toBe(false)
    expect(matchesGlob(`${name}b`, glob)).toBe(true)
    // Reported, not asserted: speed is measured by the benchmark.
    process.stdout.write(`pathological glob: ${Number(process.hrtime.bigint() - started) / 1e6} ms\n`)
  })
})
