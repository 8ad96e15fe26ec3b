// Types for the undici modules `src/net/undici.ts` and `src/net/undici-fetch.ts` import one by one: the classes and
// functions of undici's own typings, as each module's `module.exports`.
declare module 'undici/lib/api/index.js' {
  import type { Dispatcher } from 'undici'
  const api: {
    request: Dispatcher['request']
    stream: Dispatcher['stream']
    pipeline: Dispatcher['pipeline']
    upgrade: Dispatcher['upgrade']
    connect: Dispatcher['connect']
  }
  export default api
}
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici'
  const AgentClass: typeof Agent
  export default AgentClass
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici'
  const DispatcherClass: typeof Dispatcher
  export default DispatcherClass
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import type { ProxyAgent } from 'undici'
  const ProxyAgentClass: typeof ProxyAgent
  export default ProxyAgentClass
}
declare module 'undici/lib/web/fetch/index.js' {
  import type { fetch } from 'undici'
  const fetchModule: { fetch: typeof fetch }
  export default fetchModule
}
