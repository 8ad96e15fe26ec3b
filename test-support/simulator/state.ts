/** The simulator's world: servers, web apps, domains and certificates, as RunCloud keeps them. */
export interface SimDomain {
  id: number
  name: string
  /** `redirect` is a type older clients know (docs/runcloud-api.md): kept as is by a settings change. */
  type: 'primary' | 'alias' | 'redirect'
  www: boolean
  redirection: 'none' | 'www' | 'non-www'
  wildcard: boolean
  created_at: string
  /** Advanced SSL: this domain's certificate id, when one is installed. */
  certificateId?: number
}

export interface SimApp {
  id: number
  name: string
  serverId: number
  domains: SimDomain[]
  advancedSsl: boolean
  autoSsl: boolean
  /** Basic SSL: the app's certificate id, when one is installed. */
  certificateId?: number
  /** When set, certificate redeploys and installs answer 422 with this message (DNS not pointing here). */
  sslFailure?: string
  /** Redeploys and installs done, for assertions. */
  sslEvents: string[]
}

export interface SimServer {
  id: number
  name: string
  ipAddress: string
}

export interface AppSeed {
  id?: number
  name: string
  /** The primary domain, created with the app as RunCloud does. */
  primary: string
  advancedSsl?: boolean
  autoSsl?: boolean
  /** Install a certificate (basic SSL) at creation; default true. */
  certificate?: boolean
  sslFailure?: string
  /**
   * SSL state in one place (overrides the fields above): whether a certificate is installed
   * (basic SSL), advanced mode, AutoSSL, and a failure message for redeploys and installs.
   */
  ssl?: { installed?: boolean; advanced?: boolean; autoSsl?: boolean; failure?: string }
}

const stamp = (): string => new Date().toISOString().replace('T', ' ').slice(0, 19)

export class SimState {
  servers: SimServer[] = []
  apps: SimApp[] = []
  private nextId = 1000

  id(): number {
    return this.nextId++
  }

  addServer(seed: { id?: number; name: string; ipAddress?: string }): SimServer {
    const server = { id: seed.id ?? this.id(), name: seed.name, ipAddress: seed.ipAddress ?? '203.0.113.10' }
    this.servers.push(server)
    return server
  }

  addApp(serverId: number, seed: AppSeed): SimApp {
    if (!this.servers.some(s => s.id === serverId)) throw new Error(`no server ${serverId}`)
    const app: SimApp = {
      id: seed.id ?? this.id(),
      name: seed.name,
      serverId,
      domains: [],
      advancedSsl: seed.ssl?.advanced ?? seed.advancedSsl ?? false,
      autoSsl: seed.ssl?.autoSsl ?? seed.autoSsl ?? false,
      sslEvents: []
    }
    const failure = seed.ssl?.failure ?? seed.sslFailure
    if (failure) app.sslFailure = failure
    if (seed.ssl?.installed ?? seed.certificate ?? true) app.certificateId = this.id()
    this.apps.push(app)
    this.addDomain(app, { name: seed.primary, type: 'primary' })
    return app
  }

  app(serverId: number, appId: number): SimApp | undefined {
    return this.apps.find(a => a.serverId === serverId && a.id === appId)
  }

  addDomain(
    app: SimApp,
    d: { name: string; type?: SimDomain['type']; www?: boolean; redirection?: SimDomain['redirection'] }
  ): SimDomain {
    const domain: SimDomain = {
      id: this.id(),
      name: d.name,
      type: d.type ?? 'alias',
      www: d.www ?? false,
      redirection: d.redirection ?? 'none',
      wildcard: false,
      created_at: stamp()
    }
    app.domains.push(domain)
    return domain
  }

  /** Add many aliases at once (benchmarks, tests); settings as the action's defaults. */
  seedDomains(
    serverId: number,
    appId: number,
    names: string[],
    settings: { www?: boolean; redirection?: SimDomain['redirection'] } = {}
  ): void {
    const app = this.app(serverId, appId)
    if (!app) throw new Error(`no app ${serverId}/${appId}`)
    for (const name of names)
      this.addDomain(app, { name, www: settings.www ?? true, redirection: settings.redirection ?? 'non-www' })
  }

  /** A plain copy of the world, for printing and assertions. */
  snapshot(): {
    servers: SimServer[]
    apps: {
      id: number
      name: string
      serverId: number
      domains: { name: string; type: string; www: boolean; redirection: string }[]
      sslEvents: string[]
    }[]
  } {
    return {
      servers: this.servers.map(s => ({ ...s })),
      apps: this.apps.map(a => ({
        id: a.id,
        name: a.name,
        serverId: a.serverId,
        domains: a.domains.map(d => ({ name: d.name, type: d.type, www: d.www, redirection: d.redirection })),
        sslEvents: [...a.sslEvents]
      }))
    }
  }
}
