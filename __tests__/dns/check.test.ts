import { dnsServersFrom, verdictOf } from '../../src/dns/check.js'
import { dnsText, dnsWarning } from '../../src/dns/report.js'
import type { AppPlan } from '../../src/plan/model.js'

describe('RUNCLOUD_DNS_SERVERS', () => {
  it('takes IPv4 and IPv6 addresses, with or without a port, separated by commas or spaces', () => {
    const notes: string[] = []
    expect(
      dnsServersFrom({ RUNCLOUD_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.2  [::1]:53,2001:db8::1' }, m =>
        notes.push(m)
      )
    ).toEqual(['127.0.0.1:5353', '10.0.0.2', '[::1]:53', '2001:db8::1'])
    expect(notes).toEqual([])
  })
  it('ignores names and bad ports with a note naming the entry; unset or empty means the system resolver', () => {
    const notes: string[] = []
    expect(
      dnsServersFrom({ RUNCLOUD_DNS_SERVERS: 'dns.example.com,127.0.0.1:0,1.2.3.4:99999' }, m =>
        notes.push(m)
      )
    ).toBe(undefined)
    expect(notes).toHaveLength(3)
    expect(notes[0]).toMatch(/'dns\.example\.com' in RUNCLOUD_DNS_SERVERS/)
    expect(dnsServersFrom({}, () => {})).toBeUndefined()
    expect(dnsServersFrom({ RUNCLOUD_DNS_SERVERS: ' ' }, () => {})).toBeUndefined()
  })
})

describe('verdict', () => {
  const none = { addresses: [] }
  const at = (...addresses: string[]) => ({ addresses })
  const fail = { error: 'no answer within 3 s' }
  it.each([
    ['the A record is the server', at('203.0.113.10'), none, 'server'],
    ['AAAA beside the right A', at('203.0.113.10'), at('2001:db8::1'), 'server'],
    ['AAAA failing beside the right A', at('203.0.113.10'), fail, 'server'],
    ['round robin with another host', at('203.0.113.10', '198.51.100.1'), none, 'elsewhere'],
    ['another address', at('198.51.100.1'), none, 'elsewhere'],
    ['only AAAA', none, at('2001:db8::1'), 'elsewhere'],
    ['no records', none, none, 'none'],
    ['A failed', fail, at('2001:db8::1'), 'failed'],
    ['no A, AAAA failed', none, fail, 'failed']
  ] as const)('%s', (_, a, aaaa, verdict) => {
    expect(verdictOf('x.example.com', '203.0.113.10', a, aaaa).verdict).toBe(verdict)
  })
  it('an IPv6 server address is compared with AAAA records, in any written form', () => {
    expect(verdictOf('x.example.com', '2001:DB8:0::1', none, at('2001:db8::1')).verdict).toBe('server')
  })
  it('without the server address there is no verdict, except for no record', () => {
    expect(verdictOf('x.example.com', undefined, at('1.2.3.4'), none, 'unreadable')).toMatchObject({
      verdict: 'failed',
      error: 'unreadable',
      addresses: ['1.2.3.4']
    })
    expect(verdictOf('x.example.com', undefined, none, none, 'unreadable').verdict).toBe('none')
  })
})

describe('rendering', () => {
  it('the cell names the www. name; the warning lists what does not point here and says why that may be fine', () => {
    const change = {
      action: 'add' as const,
      reason: 'new' as const,
      settings: { www: true, redirection: 'non-www' as const },
      domain: 'a.example.com',
      dns: [
        { name: 'a.example.com', verdict: 'server' as const, addresses: ['203.0.113.10'] },
        { name: 'www.a.example.com', verdict: 'none' as const, addresses: [] }
      ]
    }
    expect(dnsText(change)).toBe('✅ points here · www: ⚠️ no record')
    const app = {
      server: 1,
      app: 2,
      serverIp: '203.0.113.10',
      changes: [change]
    } as unknown as AppPlan
    const w = dnsWarning(app) ?? ''
    expect(w).toMatch(
      /^DNS: 1 new name of server 1 \/ app 2 does not point at the server \(203\.0\.113\.10\): www\.a\.example\.com \(no record\)\./
    )
    expect(w).toMatch(/Cloudflare/)
    expect(
      dnsWarning({ ...app, changes: [{ ...app.changes[0], dns: [change.dns[0]] }] } as AppPlan)
    ).toBeUndefined()
  })
})
