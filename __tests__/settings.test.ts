import { readSettings, SettingsError, isLoopbackHost } from '../src/settings.js'

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? ''

function problemsOf(values: Record<string, string>): string[] {
  try {
    readSettings(inputs(values))
  } catch (e) {
    if (e instanceof SettingsError) return e.problems
    throw e
  }
  return []
}

describe('readSettings', () => {
  it('applies the action.yml defaults', () => {
    const s = readSettings(inputs({}))
    expect(s).toMatchObject({
      mode: 'plan',
      manifest: 'domains.yml',
      apiUrl: 'https://manage.runcloud.io/api/v3',
      comment: true,
      sslRedeploy: 'auto',
      maxRemovalPercent: 30,
      force: false,
      reconcile: false,
      failOnDrift: true,
      concurrency: 4,
      legacy: false
    })
  })

  it.each([
    [{ mode: 'deploy' }, "Input 'mode'"],
    [{ concurrency: '0' }, "Input 'concurrency'"],
    [{ 'max-removal-percent': 'abc' }, "Input 'max-removal-percent'"],
    [{ 'max-removal-percent': '101' }, "Input 'max-removal-percent'"],
    [{ 'api-url': 'http://api.example.com/v3' }, "Input 'api-url'"],
    [{ 'api-url': 'ftp://127.0.0.1/' }, "Input 'api-url'"],
    [{ 'api-url': 'not a url' }, "Input 'api-url'"],
    [{ force: 'yes' }, "Input 'force'"],
    [{ 'ssl-redeploy': 'sometimes' }, "Input 'ssl-redeploy'"],
    [{ 'server-id': '12a' }, "Input 'server-id'"],
    [{ mode: 'apply' }, "Input 'api-token' is required"],
    [{ 'api-key': 'k' }, "'api-key' and 'api-secret' go together"],
    [{ manifest: '../outside.yml' }, "Input 'manifest'"],
    [{ 'base-ref': '--upload-pack=x' }, "Input 'base-ref'"]
  ])('rejects %j naming the input', (values, expected) => {
    const problems = problemsOf(values)
    expect(problems.join('\n')).toContain(expected)
  })

  it('reports every bad input at once', () => {
    expect(problemsOf({ mode: 'x', concurrency: '0', 'max-removal-percent': 'abc' })).toHaveLength(3)
  })

  it('masks every credential as it is read', () => {
    const masked: string[] = []
    readSettings(inputs({ 'api-token': 'tok', 'github-token': 'gh' }), s => masked.push(s))
    expect(masked.slice(0, 2)).toEqual(['tok', 'gh'])
  })

  it('uses API v2 with the legacy key and secret', () => {
    const s = readSettings(inputs({ 'api-key': 'k', 'api-secret': 's', mode: 'apply' }))
    expect(s.legacy).toBe(true)
    expect(s.apiUrl).toBe('https://manage.runcloud.io/api/v2')
  })

  it('prefers the v3 token over the legacy pair', () => {
    const s = readSettings(inputs({ 'api-token': 't', 'api-key': 'k', 'api-secret': 's' }))
    expect(s.legacy).toBe(false)
    expect(s.apiKey).toBeUndefined()
  })

  it('allows plain http only to loopback', () => {
    for (const url of [
      'http://127.0.0.1:8080/api/v3',
      'http://localhost:1/api/v3',
      'http://[::1]:9/api/v3'
    ]) {
      expect(readSettings(inputs({ 'api-url': url })).apiUrl).toBe(url.replace(/\/+$/, ''))
    }
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('128.0.0.1')).toBe(false)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
    // Resolved by the runner's DNS, which may send it anywhere.
    expect(isLoopbackHost('api.localhost')).toBe(false)
    expect(() => readSettings(inputs({ 'api-url': 'http://api.localhost/api/v3' }))).toThrow(/api-url/)
  })
})

describe('credentials and api-url are checked without being echoed', () => {
  it.each([
    ['api-token', 'Zq7wX9-first\nZq7wX9-second'],
    ['api-token', 'Zq7wX9-first Zq7wX9-second'],
    ['api-token', 'Zq7wX9-nön-ascii'],
    ['api-token', 'Zq7wX9-first\u0000Zq7wX9-second'],
    ['api-key', 'Zq7wX9-first\tZq7wX9-second'],
    ['api-secret', 'Zq7wX9-first\rZq7wX9-second'],
    ['github-token', 'Zq7wX9-first\nZq7wX9-second']
  ])('%s holding something else than visible ASCII is a bad input naming it', (name, value) => {
    const values: Record<string, string> = { [name]: value, mode: 'plan' }
    if (name === 'api-key') values['api-secret'] = 'secret-ok'
    if (name === 'api-secret') values['api-key'] = 'key-ok'
    const problems = problemsOf(values)
    expect(problems.join('\n')).toContain(`Input '${name}' must be visible ASCII`)
    expect(problems.join('\n')).not.toContain('Zq7wX9')
    expect(problems.join('\n')).not.toMatch(/go together|is required/)
  })

  it('registers every form a credential travels in, and masks each', () => {
    const masked: string[] = []
    readSettings(inputs({ 'api-token': 'tok-123456', 'github-token': 'ghs_abcdef123' }), s => masked.push(s))
    expect(masked).toEqual(
      expect.arrayContaining([
        'tok-123456',
        'Bearer tok-123456',
        'x-access-token:ghs_abcdef123',
        Buffer.from('x-access-token:ghs_abcdef123').toString('base64')
      ])
    )
  })

  it.each([
    'https://user:hunter2@manage.runcloud.io/api/v3',
    'https://hunter2@manage.runcloud.io/api/v3',
    'https://manage.runcloud.io/api/v3?token=hunter2',
    'https://manage.runcloud.io/api/v3?',
    'https://manage.runcloud.io/api/v3#hunter2',
    'http://hunter2.example.com/api/v3?x=1',
    'hunter2',
    'ftp://hunter2.example.com/',
    'https://manage.runcloud.io/api/v3\nhunter2',
    'javascript:hunter2'
  ])('refuses %j without echoing it', url => {
    const problems = problemsOf({ 'api-url': url }).join('\n')
    expect(problems).toContain("Input 'api-url'")
    expect(problems).not.toContain('hunter2')
  })
})
