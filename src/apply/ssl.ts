import type { AppPlan } from '../plan/model.js'
import type { SslResult } from '../plan/outcome.js'
import { advancedStep, DNS_HINT, noCertificateWarning } from '../plan/ssl-policy.js'
import type { LiveDomain, RunCloudApi } from '../runcloud/types.js'

/**
 * Redeploy an app's certificate once, as plan/ssl-policy.ts decided. Basic SSL: the app's one
 * certificate (`PUT /ssl/{id}`). Advanced SSL: per target domain, as `advancedStep` says.
 * Never throws: a failure is the result.
 */
export async function redeployCertificates(
  app: AppPlan & { serverId: number; appId: number },
  api: RunCloudApi,
  targets: readonly LiveDomain[],
  warn: (message: string) => void,
  /** `ssl-redeploy: always`: with no target, an advanced-SSL app redeploys every domain's certificate. */
  everyDomain: boolean
): Promise<SslResult> {
  const { serverId, appId } = app
  try {
    const mode = await api.getSslMode(serverId, appId)
    if (!mode.advanced) {
      const cert = await api.getBasicCertificate(serverId, appId)
      if (!cert) {
        warn(noCertificateWarning(app))
        return { status: 'none-installed', detail: 'no certificate installed' }
      }
      await api.redeployBasicCertificate(serverId, appId, cert.id)
      return { status: 'done', detail: `certificate ${cert.id} redeployed` }
    }
    let domains = targets
    if (domains.length === 0) {
      if (!everyDomain)
        return {
          status: 'skipped',
          detail: 'advanced SSL: no domain was added, so no certificate to redeploy'
        }
      domains = await api.listDomains(serverId, appId)
    }
    const done: string[] = []
    const failures: string[] = []
    let leftToAutoSsl = 0
    for (const d of domains) {
      try {
        const cert = await api.getDomainCertificate(serverId, appId, d.id)
        const step = advancedStep(cert !== undefined, mode.autoSsl)
        if (step === 'redeploy' && cert) {
          await api.redeployDomainCertificate(serverId, appId, d.id, cert.id)
          done.push(`${d.name} redeployed`)
        } else if (step === 'install') {
          await api.installDomainCertificate(serverId, appId, d.id)
          done.push(`${d.name} installed`)
        } else leftToAutoSsl++
      } catch (e) {
        failures.push(`${d.name}: ${(e as Error).message}`)
      }
    }
    if (failures.length) {
      return {
        status: 'failed',
        detail: `The domains were changed; only the certificate failed (${failures.join('; ')}). ${DNS_HINT}`
      }
    }
    const auto = leftToAutoSsl ? `; ${leftToAutoSsl} left to AutoSSL` : ''
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
