/**
 * Jest setup: the tests talk to servers on loopback, and a developer's proxy settings must not
 * change what they see. The action and the CLI never proxy loopback, but @actions/github chooses its
 * proxy once, for GITHUB_API_URL, so a test that points Octokit at a loopback fake would be sent
 * to the proxy. Tests about proxies set these variables themselves.
 */
for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'])
  delete process.env[name]
