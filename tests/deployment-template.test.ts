import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config';

/** The App Service settings of deploymentTemplates/template-dialogo.json, with its parameters filled in. */
function templateEnvironment(values: Record<string, string>): Record<string, string> {
  const template = JSON.parse(readFileSync(path.resolve(__dirname, '../deploymentTemplates/template-dialogo.json'), 'utf8'));
  const site = template.resources.find((r: { type: string }) => r.type === 'Microsoft.Web/sites');
  const env: Record<string, string> = {};
  for (const { name, value } of site.properties.siteConfig.appSettings as { name: string; value: string }[]) {
    const parameter = /^\[parameters\('(\w+)'\)\]$/.exec(value)?.[1];
    env[name] = parameter ? (values[parameter] ?? template.parameters[parameter]?.defaultValue ?? '') : value;
  }
  return env;
}

describe('deployment template', () => {
  test('its settings make a valid production configuration', () => {
    const env = templateEnvironment({
      appId: '00000000-0000-0000-0000-000000000001',
      appSecret: 'app-secret',
      appType: 'SingleTenant',
      tenantId: '00000000-0000-0000-0000-000000000002',
      pseudonymSecret: 'a-pseudonym-secret-of-length',
      operatorTokenSecret: 'an-operator-token-secret',
      directLineSecret: 'a-direct-line-secret-1234',
      dataEncryptionKey: 'a-data-encryption-key-of-32-chars-at-least',
    });
    const config = loadConfig(env);
    expect(config).toMatchObject({ env: 'production', port: 8080, storage: { mongodbUri: undefined, pseudonymSecret: 'a-pseudonym-secret-of-length' } });
    expect(config.handoff.operatorTokenSecret).toBe('an-operator-token-secret');
    // App Service's front end is one proxy hop; the widget is embedded by the city portal.
    expect(config.edge).toMatchObject({ trustProxyHops: 1, allowedOrigins: ['https://www.comune.milano.it'] });
    expect(config.storage.dataEncryptionKey).toBe('a-data-encryption-key-of-32-chars-at-least');
  });

  test('answers to written requests are mailed when the city gives its mail server, and off (the console says so) when not', () => {
    const secrets = { pseudonymSecret: 'a-pseudonym-secret-of-length', operatorTokenSecret: 'an-operator-token-secret', directLineSecret: 'a-direct-line-secret-1234', dataEncryptionKey: 'a-data-encryption-key-of-32-chars-at-least' };
    const app = { appId: '00000000-0000-0000-0000-000000000001', appSecret: 'app-secret', appType: 'SingleTenant', tenantId: '00000000-0000-0000-0000-000000000002' };
    expect(loadConfig(templateEnvironment({ ...app, ...secrets })).mail).toBeUndefined();
    const mailed = loadConfig(templateEnvironment({ ...app, ...secrets, smtpUrl: 'smtp://dialogo:segreto@smtp.comune.example:587', mailFrom: 'Comune di Milano <noreply@comune.example>' }));
    expect(mailed.mail).toEqual({ smtpUrl: 'smtp://dialogo:segreto@smtp.comune.example:587', from: 'Comune di Milano <noreply@comune.example>' });
  });

  test('it runs on Node 22 LTS', () => {
    const template = JSON.parse(readFileSync(path.resolve(__dirname, '../deploymentTemplates/template-dialogo.json'), 'utf8'));
    const site = template.resources.find((r: { type: string }) => r.type === 'Microsoft.Web/sites');
    expect(site.properties.siteConfig.linuxFxVersion).toBe('NODE|22-lts');
  });
});
