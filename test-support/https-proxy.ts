/**
 * A corporate network in a box, all on loopback: a certificate authority made at test time (with
 * the openssl command), a TLS front that serves a loopback HTTP server (the simulator, the fake
 * GitHub) over HTTPS, and an HTTP CONNECT proxy that alone knows the made-up host names those
 * fronts stand for (say runcloud.test → 127.0.0.1). A request that reaches a front under such a
 * name went through the proxy: nothing else can resolve the name.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'

export interface TestCertificates {
  /** The CA certificate (PEM file), for NODE_EXTRA_CA_CERTS. */
  caFile: string
  /** The server's key and certificate (PEM), signed by the CA for the given host names. */
  key: string
  cert: string
  cleanup(): void
}

/** A CA and one server certificate for `hosts`, valid for a day, made with openssl in a temporary directory. */
export function makeCertificates(hosts: string[]): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'rcd-certs-'))
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=runcloud-domains test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign'
  )
  openssl(
    'req',
    '-new',
    ...ec,
    '-keyout',
    file('leaf.key'),
    '-out',
    file('leaf.csr'),
    '-subj',
    `/CN=${hosts[0]}`
  )
  writeFileSync(
    file('leaf.ext'),
    [
      `subjectAltName=${hosts.map(h => `DNS:${h}`).join(',')}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid'
    ].join('\n')
  )
  openssl(
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '1',
    '-extfile',
    file('leaf.ext'),
    '-out',
    file('leaf.pem')
  )
  return {
    caFile: file('ca.pem'),
    key: readFileSync(file('leaf.key'), 'utf8'),
    cert: readFileSync(file('leaf.pem'), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}

function tracked(sockets: Set<Socket>, socket: Socket): Socket {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  return socket
}

/** Pipe two sockets both ways; either one failing or ending tears down the other. */
function splice(a: Socket, b: Socket): void {
  a.pipe(b)
  b.pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
}

export interface TlsFront {
  port: number
  /** TLS connections accepted. */
  connections: number
  close(): Promise<void>
}

/** Serves `backendUrl` (an http://127.0.0.1 server) over HTTPS on a loopback port of its own. */
export async function startTlsFront(backendUrl: string, certs: TestCertificates): Promise<TlsFront> {
  const backendPort = Number(new URL(backendUrl).port)
  const sockets = new Set<Socket>()
  const front: TlsFront = { port: 0, connections: 0, close: async () => {} }
  const server = createTlsServer({ key: certs.key, cert: certs.cert }, socket => {
    front.connections++
    tracked(sockets, socket)
    splice(socket, tracked(sockets, connect(backendPort, '127.0.0.1')))
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  front.port = (server.address() as AddressInfo).port
  front.close = () =>
    new Promise<void>(done => {
      for (const s of sockets) s.destroy()
      server.close(() => done())
    })
  return front
}

export interface ConnectProxy {
  /** http://user:password@127.0.0.1:port when credentials were asked for. */
  url: string
  /** Every CONNECT target (`host:port`), in order, whether it was let through or not. */
  connects: string[]
  /** Requests that were not CONNECT (`METHOD url`): a plain-HTTP proxy request. */
  plain: string[]
  /** CONNECTs refused for missing or wrong Proxy-Authorization. */
  refusedAuth: number
  close(): Promise<void>
}

export interface ConnectProxyOptions {
  /** Host name → address the proxy connects to; any other host is answered 502. */
  hosts: Record<string, string>
  /** When set, every CONNECT must carry these as Basic Proxy-Authorization (else 407). */
  credentials?: { user: string; password: string }
}

/** An HTTP proxy on loopback that tunnels CONNECT to the hosts it knows, and nothing else. */
export async function startConnectProxy(opts: ConnectProxyOptions): Promise<ConnectProxy> {
  const sockets = new Set<Socket>()
  const proxy: ConnectProxy = { url: '', connects: [], plain: [], refusedAuth: 0, close: async () => {} }
  const expected = opts.credentials
    ? `Basic ${Buffer.from(`${opts.credentials.user}:${opts.credentials.password}`).toString('base64')}`
    : undefined
  const server = createHttpServer((req, res) => {
    proxy.plain.push(`${req.method ?? ''} ${req.url ?? ''}`)
    res.writeHead(502, { 'content-type': 'text/plain' })
    res.end('this proxy only tunnels (CONNECT)')
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tracked(sockets, client)
    client.on('error', () => client.destroy())
    const target = req.url ?? ''
    proxy.connects.push(target)
    if (expected && req.headers['proxy-authorization'] !== expected) {
      proxy.refusedAuth++
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n'
      )
      return
    }
    const at = target.lastIndexOf(':')
    const address = opts.hosts[target.slice(0, at).toLowerCase()]
    const port = Number(target.slice(at + 1))
    if (!address || !Number.isInteger(port)) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      return
    }
    const upstream = tracked(sockets, connect(port, address))
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      splice(client, upstream)
    })
    upstream.once('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
  })
  server.on('connection', (s: Socket) => tracked(sockets, s))
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  const auth = opts.credentials
    ? `${encodeURIComponent(opts.credentials.user)}:${encodeURIComponent(opts.credentials.password)}@`
    : ''
  proxy.url = `http://${auth}127.0.0.1:${port}`
  proxy.close = () =>
    new Promise<void>(done => {
      for (const s of sockets) s.destroy()
      server.close(() => done())
    })
  return proxy
}
