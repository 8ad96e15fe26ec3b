/** Which requests go through the runner's proxy: the rules @actions/http-client applies, loopback never. */
import { Agent, ProxyAgent } from 'undici'
import { describeProxy, dispatcherFor, proxyFor, proxyRefusal } from '../../src/net/dispatcher.js'

const NAMES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']
let saved: Record<string, string | undefined>
beforeEach(() => {
  saved = Object.fromEntries(NAMES.map(n => [n, process.env[n]]))
  for (const n of NAMES) delete process.env[n]
})
afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n]
    else process.env[n] = saved[n]
  }
})

const via = (url: string) => proxyFor(url)?.host

describe('proxyFor', () => {
  it('connects directly when no proxy is set', () => {
    expect(via('https://manage.runcloud.io/api/v3')).toBeUndefined()
  })
  it('uses HTTPS_PROXY for https URLs and HTTP_PROXY for http ones, in either case, lower case first', () => {
    process.env.HTTPS_PROXY = 'http://upper:3128'
    process.env.HTTP_PROXY = 'http://plain:8080'
    expect(via('https://manage.runcloud.io/api/v3')).toBe('upper:3128')
    expect(via('http://runcloud.internal/api/v3')).toBe('plain:8080')
    process.env.https_proxy = 'http://lower:3129'
    expect(via('https://manage.runcloud.io/api/v3')).toBe('lower:3129')
    delete process.env.HTTPS_PROXY
    expect(via('https://manage.runcloud.io/api/v3')).toBe('lower:3129')
  })
  it('accepts a proxy written without a scheme, as http://', () => {
    process.env.HTTPS_PROXY = '10.0.0.1:3128'
    expect(proxyFor('https://manage.runcloud.io/api/v3')?.href).toBe('http://10.0.0.1:3128/')
  })
  it.each(['127.0.0.1', '127.9.8.7', 'localhost', 'LOCALHOST', '[::1]'])(
    'never proxies the loopback host %s',
    host => {
      process.env.HTTPS_PROXY = 'http://proxy:3128'
      process.env.HTTP_PROXY = 'http://proxy:3128'
      expect(via(`http://${host}:8080/api/v3`)).toBeUndefined()
      expect(via(`https://${host}/api/v3`)).toBeUndefined()
    }
  )
  it.each([
    ['manage.runcloud.io', true],
    ['MANAGE.RUNCLOUD.IO', true],
    ['runcloud.io', true],
    ['.runcloud.io', true],
    ['manage.runcloud.io:443', true],
    ['manage.runcloud.io:8443', false],
    ['*', true],
    ['other.example, runcloud.io', true],
    ['io.runcloud', false],
    ['cloud.io', false],
    ['anage.runcloud.io', false]
  ])('NO_PROXY=%s bypasses the proxy for manage.runcloud.io: %s', (noProxy, bypassed) => {
    process.env.HTTPS_PROXY = 'http://proxy:3128'
    process.env.NO_PROXY = noProxy
    expect(via('https://manage.runcloud.io/api/v3')).toBe(bypassed ? undefined : 'proxy:3128')
  })
  it('reads no_proxy in lower case too, before NO_PROXY', () => {
    process.env.HTTPS_PROXY = 'http://proxy:3128'
    process.env.no_proxy = 'runcloud.io'
    process.env.NO_PROXY = 'example.com'
    expect(via('https://manage.runcloud.io/api/v3')).toBeUndefined()
    expect(via('https://api.example.com/')).toBe('proxy:3128')
  })
})

describe('dispatcherFor', () => {
  it('is a plain Agent without a proxy and a ProxyAgent with one, naming the proxy without its credentials', async () => {
    const notes: string[] = []
    const direct = await dispatcherFor('https://manage.runcloud.io/api/v3', {
      connections: 2,
      keepAliveTimeout: 1000
    })
    expect(direct).toBeInstanceOf(Agent)
    process.env.HTTPS_PROXY = 'http://alice:s3cret-pw@proxy.corp:3128'
    const proxied = await dispatcherFor(
      'https://manage.runcloud.io/api/v3',
      { connections: 2, keepAliveTimeout: 1000 },
      m => notes.push(m)
    )
    expect(proxied).toBeInstanceOf(ProxyAgent)
    expect(notes).toEqual(['Connecting to manage.runcloud.io through the proxy http://proxy.corp:3128'])
    expect(notes.join('')).not.toMatch(/alice|s3cret/)
    expect(describeProxy(new URL('https://u:p@proxy:1/'))).toBe('https://proxy:1')
    await Promise.all([direct.close(), proxied.close()])
  })
})

describe('proxyRefusal', () => {
  it('words a CONNECT the proxy did not accept, and leaves other errors alone', () => {
    expect(proxyRefusal(new Error('Proxy response (407) !== 200 when HTTP Tunneling'))).toBe(
      'the proxy refused the connection with HTTP 407: check the user and password in the proxy URL (HTTPS_PROXY)'
    )
    expect(proxyRefusal(new Error('Proxy response (403) !== 200 when HTTP Tunneling'))).toMatch(
      /HTTP 403: check HTTPS_PROXY and NO_PROXY/
    )
    expect(proxyRefusal(new Error('connect ECONNREFUSED 127.0.0.1:9'))).toBeUndefined()
    expect(proxyRefusal('Proxy response (407)')).toBeUndefined()
  })
})
