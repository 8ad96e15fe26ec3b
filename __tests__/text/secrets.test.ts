/** The one scrub: each credential in every form, at any byte offset; checked by an independent detector. */
import fc from 'fast-check'
import {
  clearRegisteredSecrets,
  credentialStrings,
  registerSecret,
  scrub,
  scrubDeep
} from '../../src/text/secrets.js'
import { encodings, findLeaks } from '../../test-support/leaks.js'

afterEach(() => clearRegisteredSecrets())

const visible = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map(c => String.fromCharCode(c)),
  minLength: 8,
  maxLength: 60
})

describe('scrub', () => {
  it('removes a registered secret raw, URL-encoded, JSON- and HTML-escaped and base64-encoded', () => {
    const token = 'rc_Tok+en/with"odd&chars<>=='
    registerSecret(token)
    for (const form of encodings(token)) {
      const out = scrub(`before ${form} after`)
      expect(findLeaks(out, [token])).toEqual([])
      expect(out).toContain('before ')
    }
  })

  it('finds base64 at every byte offset of a longer string, with anything around it', () => {
    fc.assert(
      fc.property(
        visible,
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.boolean(),
        (secret, before, after, urlSafe) => {
          clearRegisteredSecrets()
          registerSecret(secret)
          let b64 = Buffer.concat([Buffer.from(before), Buffer.from(secret), Buffer.from(after)]).toString(
            'base64'
          )
          if (urlSafe) b64 = b64.replace(/\+/g, '-').replace(/\//g, '_')
          const out = scrub(`Authorization: basic ${b64}`)
          expect(findLeaks(out, [secret])).toEqual([])
        }
      )
    )
  })

  it('removes each encoding of any visible-ASCII secret, and keeps the text around it', () => {
    fc.assert(
      fc.property(visible, fc.integer({ min: 0, max: 9 }), (secret, which) => {
        clearRegisteredSecrets()
        registerSecret(secret)
        const form = encodings(secret)[which] as string
        const out = scrub(`<p>error: ${form}</p>`)
        expect(findLeaks(out, [secret])).toEqual([])
        expect(out.startsWith('<p>error: ')).toBe(true)
      })
    )
  })

  it('takes extra secrets besides the registered ones', () => {
    expect(scrub('a key-12345 b', ['key-12345'])).toBe('a *** b')
    expect(scrub('a key-12345 b')).toBe('a key-12345 b')
  })

  it('covers the strings credentials travel in: Authorization values, key:secret, checkout’s header', () => {
    const strings = credentialStrings({ apiKey: 'kkk-111', apiSecret: 'sss-222', githubToken: 'ghs_333abc' })
    expect(strings).toEqual(
      expect.arrayContaining([
        'kkk-111:sss-222',
        `Basic ${Buffer.from('kkk-111:sss-222').toString('base64')}`,
        'x-access-token:ghs_333abc',
        Buffer.from('x-access-token:ghs_333abc').toString('base64')
      ])
    )
    for (const s of strings) registerSecret(s)
    const gitConfig = `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_333abc').toString('base64')}\n`
    expect(findLeaks(scrub(gitConfig), ['ghs_333abc'])).toEqual([])
    expect(scrub(gitConfig)).toContain('extraheader = AUTHORIZATION: ***')
  })

  it('leaves short secrets and ordinary text alone', () => {
    registerSecret('ab')
    expect(scrub('ab cab')).toBe('ab cab')
  })

  it('scrubs every string of a value, keys too, without touching the input', () => {
    registerSecret('tok-98765')
    const input = { a: ['x tok-98765'], 'tok-98765': 1, n: 2, b: true }
    expect(scrubDeep(input)).toEqual({ a: ['x ***'], '***': 1, n: 2, b: true })
    expect(input.a[0]).toBe('x tok-98765')
  })
})
