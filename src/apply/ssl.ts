import type { AppPlan } from '../plan/model.js'
import type { LiveDomain, RunCloudApi } from '../runcloud/types.js'

const DNS_HINT =
  'A certificate can only be issued once the domain’s DNS points at the server; check the DNS records, then run again.'

/**
 * Redeploy an app's certificate once (README, "SSL"). Basic SSL: the app's one certificate
 * (`PUT /ssl/{id}`). Advanced SSL: per added domain, redeploy its certificate, or install one
 * where none exists and AutoSSL is off. No certificate at all is a warning, not a failure.
 */
export async function redeployCertificates(
  app: AppPlan,
  api: RunCloudApi,
  added: LiveDomain[],
  warn: (message: string) => void,
  /** `ssl-redeploy: always`: with no added domain, an advanced-SSL app redeploys every domain's certificate. */
  everyDomain = false
): Promise<NonNullable<AppPlan['ssl']['result']>> {
  const serverId = app.serverId as number
  const appId = app.appId as number
  try {
    const mode = await api.getSslMode(serverId, appId)
    if (!mode.advanced) {
      const cert = await api.getBasicCertificate(serverId, appId)
      if (!cert) {
        warn(
          `No SSL certificate is installed on ${app.label ?? `app ${app.app}`}; nothing to redeploy. Install one in RunCloud (Web Application → SSL/TLS).`
        )
        return { status: 'none-installed', detail: 'no certificate installed' }
      }
      await api.redeployBasicCertificate(serverId, appId, cert.id)
      return { status: 'done', detail: `certificate ${cert.id} redeployed` }
    }
    let targets = added
    if (targets.length === 0) {
      // With `auto`, only the certificates of domains the change added: none (adds failed, or an adopted app).
      if (!everyDomain)
        return {
          status: 'skipped',
          detail: 'advanced SSL: no domain was added, so no certificate to redeploy'
        }
      // `ssl-redeploy: always` on an advanced-SSL app with nothing added: every domain's certificate.
      targets = await api.listDomains(serverId, appId)
    }
    const done: string[] = []
    const failures: string[] = []
    let skipped = 0
    for (const d of targets) {
      try {
        const cert = await api.getDomainCertificate(serverId, appId, d.id)
        if (cert) {
          await api.redeployDomainCertificate(serverId, appId, d.id, cert.id)
          done.push(`${d.name} redeployed`)
        } else if (!mode.autoSsl) {
          await api.installDomainCertificate(serverId, appId, d.id)
          done.push(`${d.name} installed`)
        } else {
          skipped++
        }
      } catch (e) {
        failures.push(`${d.name}: ${(e as Error).message}`)
      }
    }
    const auto = skipped ? `; ${skipped} left to AutoSSL` : ''
    if (failures.length) {
      return {
        status: 'failed',
        detail: `The domains were changed; only the certificate failed (${failures.join('; ')}). ${DNS_HINT}`
      }
    }
    return {
      status: 'done',
      detail: `advanced SSL: ${done.length ? done.join(', ') : 'nothing to redeploy'}${auto}`
    }
  } catch (e) {
    return {
      status: 'failed',
      detail: `The domains were changed; only the certificate failed: ${(e as Error).message}. ${DNS_HINT}`
    }
  }
}
