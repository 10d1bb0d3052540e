import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../../domain/config';
import { createPsaClient, type PsaClient } from '../../integrations/psa/client';

const PSA_SETTINGS = ['PSA_API_URL', 'PSA_INTEGRATION_KEY', 'CRM_INTEGRATION_KEY'] as const;

/** The PSA client the worker uses when none is injected: built once, from the parsed config. */
export function psaClientFromConfig(config: AppConfig): PsaClient | undefined {
  const { PSA_API_URL, PSA_INTEGRATION_KEY, CRM_INTEGRATION_KEY } = config;
  if (!PSA_API_URL || !PSA_INTEGRATION_KEY || !CRM_INTEGRATION_KEY) return undefined;
  return createPsaClient({ baseUrl: PSA_API_URL, psaIntegrationKey: PSA_INTEGRATION_KEY, crmIntegrationKey: CRM_INTEGRATION_KEY });
}

/**
 * Resolves the PSA client lazily, so a worker without PSA settings still runs every other
 * workflow; a promotion then fails at once, naming the missing settings.
 */
export function psaResolver(config: AppConfig, injected: PsaClient | undefined): () => PsaClient {
  let client = injected;
  return () => {
    client ??= psaClientFromConfig(config);
    if (client) return client;
    const missing = PSA_SETTINGS.filter((name) => !config[name]);
    throw ApplicationFailure.nonRetryable(`The PSA integration is not configured: set ${missing.join(', ')} for the worker.`, 'PSA_NOT_CONFIGURED');
  };
}
