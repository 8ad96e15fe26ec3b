/**
 * A small authoritative DNS server on loopback (UDP) for the tests, the demo and the benchmark:
 * it answers A and AAAA questions from a table, NXDOMAIN for names it does not know, and counts
 * every question. It can also stay silent (a resolver that never answers: the lookup times out)
 * or answer SERVFAIL, for the "lookup failed" verdict. Messages are encoded with `dns-packet`.
 */
import { createSocket, type RemoteInfo } from 'node:dgram'
import dnsPacket from 'dns-packet'

export interface DnsEntry {
  A?: string[]
  AAAA?: string[]
}

export interface DnsQuery {
  name: string
  type: string
}

export interface TestDnsServer {
  /** `127.0.0.1:PORT`, as `RUNCLOUD_DNS_SERVERS` takes it. */
  address: string
  port: number
  /** Lower-case name → its records. Change it at any time. */
  records: Map<string, DnsEntry>
  /** Every question asked, in order. */
  queries: DnsQuery[]
  /** `answer` (default), `silent` (never answers), `servfail`. */
  mode: 'answer' | 'silent' | 'servfail'
  /** Names never answered, whatever the mode (one name times out, the others resolve). */
  silentNames: Set<string>
  set(name: string, entry: DnsEntry): void
  close(): Promise<void>
}

export async function startDnsServer(table: Record<string, DnsEntry> = {}): Promise<TestDnsServer> {
  const socket = createSocket('udp4')
  const server: TestDnsServer = {
    address: '',
    port: 0,
    records: new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v])),
    queries: [],
    mode: 'answer',
    silentNames: new Set(),
    set(name, entry) {
      server.records.set(name.toLowerCase(), entry)
    },
    close: () => new Promise<void>(r => socket.close(() => r()))
  }

  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    let query: dnsPacket.Packet
    try {
      query = dnsPacket.decode(message)
    } catch {
      return
    }
    const question = query.questions?.[0]
    if (!question) return
    const name = question.name.toLowerCase().replace(/\.$/, '')
    server.queries.push({ name, type: question.type })
    if (server.mode === 'silent' || server.silentNames.has(name)) return
    const entry = server.records.get(name)
    // Response codes (RFC 1035 §4.1.1): 0 no error, 2 server failure, 3 no such name.
    const rcode = server.mode === 'servfail' ? 2 : entry ? 0 : 3
    const addresses =
      rcode === 0 && (question.type === 'A' || question.type === 'AAAA') ? (entry?.[question.type] ?? []) : []
    const answer = dnsPacket.encode({
      type: 'response',
      id: query.id,
      // Authoritative, the question's "recursion desired" echoed, the response code in the low bits.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode,
      questions: [question],
      answers: addresses.map(data => ({
        type: question.type as 'A' | 'AAAA',
        name: question.name,
        ttl: 60,
        data
      }))
    })
    socket.send(answer, from.port, from.address)
  })

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject)
      resolve()
    })
  })
  server.port = socket.address().port
  server.address = `127.0.0.1:${server.port}`
  return server
}
