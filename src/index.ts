// Node maps stack traces through source maps only for code loaded after this call, so the action
// itself is imported afterwards (runners cannot pass --enable-source-maps to an action).
process.setSourceMapsEnabled(true)
await import('./action.js')
