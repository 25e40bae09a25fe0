import { loadConfig } from '../src/config';
import { ArmEvaluator, type ArmResource, type ArmTemplate, FAKE, readTemplate } from './fixtures/arm-template';

const APP_NAME = 'dialogo-test';
const KEY_VAULT_SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

// Distinctive values: any of them found in plain sight outside the Key Vault is a leak.
const SECRETS = {
  appSecret: 'secret-app-password-0001',
  pseudonymSecret: 'secret-pseudonym-0002-xxxx',
  operatorTokenSecret: 'secret-operator-token-0003',
  directLineSecret: 'secret-direct-line-0004-xx',
  dataEncryptionKey: 'secret-data-encryption-key-0005-at-least-32',
  metricsToken: 'secret-metrics-token-0006',
  mongodbUri: 'mongodb+srv://dialogo:secret-mongo-0007@cluster.example.mongocluster.cosmos.azure.com/?tls=true',
  smtpUrl: 'smtp://dialogo:secret-smtp-0008@smtp.comune.example:587',
} as const;
const SECURE_PARAMETERS = Object.keys(SECRETS);

const REQUIRED = {
  appName: APP_NAME,
  appId: '00000000-0000-0000-0000-000000000001',
  appType: 'SingleTenant',
  tenantId: '00000000-0000-0000-0000-000000000002',
  appSecret: SECRETS.appSecret,
  pseudonymSecret: SECRETS.pseudonymSecret,
  operatorTokenSecret: SECRETS.operatorTokenSecret,
  directLineSecret: SECRETS.directLineSecret,
  dataEncryptionKey: SECRETS.dataEncryptionKey,
  metricsToken: SECRETS.metricsToken,
  mongodbUri: SECRETS.mongodbUri,
};

const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/([a-z0-9-]{3,24})\.vault\.azure\.net\/secrets\/([A-Za-z0-9-]{1,127})\/?\)$/;

/** A deployment of the template with these parameters, evaluated offline. */
function deployment(values: Record<string, unknown>) {
  const arm = new ArmEvaluator(readTemplate(), values);
  const deployed = arm.deployed();
  const one = (type: string): ArmResource => {
    const found = deployed.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`${found.length} resources of type ${type}`);
    return found[0]!;
  };
  const settingsResource = deployed.find((r) => r.type === 'Microsoft.Web/sites/config' && String(arm.value(r.name)).endsWith('/appsettings'));
  if (!settingsResource) throw new Error('no appsettings resource');
  /** The app settings as written (Key Vault references unresolved). */
  const rawSettings = arm.value(settingsResource.properties) as Record<string, string>;
  /** What the app finds in its environment once App Service resolves the Key Vault references. */
  const environment = (): Record<string, string> => {
    const secrets = new Map(deployed.filter((r) => r.type === 'Microsoft.KeyVault/vaults/secrets').map((r) => [String(arm.value(r.name)), r]));
    return Object.fromEntries(
      Object.entries(rawSettings).map(([name, value]) => {
        const reference = KEY_VAULT_REFERENCE.exec(value);
        if (!reference) return [name, value];
        const secret = secrets.get(`${reference[1]}/${reference[2]}`);
        if (!secret) throw new Error(`${name} refers to ${reference[1]}/${reference[2]}, which the template does not deploy`);
        return [name, String(arm.value((secret.properties as { value: unknown }).value))];
      }),
    );
  };
  return { arm, deployed, one, rawSettings, environment, settingsResource };
}

describe('deployment template', () => {
  const template: ArmTemplate = readTemplate();

  test('its settings make a valid production configuration, on one instance and on several', () => {
    for (const instanceCount of [1, 3]) {
      const config = loadConfig(deployment({ ...REQUIRED, instanceCount }).environment());
      expect(config).toMatchObject({ env: 'production', port: 8080, storage: { mongodbUri: SECRETS.mongodbUri, pseudonymSecret: SECRETS.pseudonymSecret, dataEncryptionKey: SECRETS.dataEncryptionKey } });
      expect(config.handoff.operatorTokenSecret).toBe(SECRETS.operatorTokenSecret);
      expect(config.metricsToken).toBe(SECRETS.metricsToken);
      // App Service's front end is one proxy hop; the widget is embedded by the city portal.
      expect(config.edge).toMatchObject({ trustProxyHops: 1, allowedOrigins: ['https://www.comune.milano.it'] });
      // Answers' links go through the app's own /go redirect, which counts the clicks.
      expect(config.publicBaseUrl).toBe(`https://${APP_NAME}.azurewebsites.net`);
    }
  });

  test('answers to written requests are mailed when the city gives its mail server, and off (the console says so) when not', () => {
    const without = deployment(REQUIRED);
    expect(loadConfig(without.environment()).mail).toBeUndefined();
    expect(without.deployed.some((r) => String(without.arm.value(r.name)).endsWith('/smtp-url'))).toBe(false);
    const mailed = loadConfig(deployment({ ...REQUIRED, smtpUrl: SECRETS.smtpUrl, mailFrom: 'Comune di Milano <noreply@comune.example>' }).environment());
    expect(mailed.mail).toEqual({ smtpUrl: SECRETS.smtpUrl, from: 'Comune di Milano <noreply@comune.example>' });
  });

  test('it runs on Node 22 LTS, always on, with /readyz as the health check and the slot swap warm-up, and no instance affinity', () => {
    const { one, environment } = deployment(REQUIRED);
    expect(environment()).toMatchObject({ WEBSITE_SWAP_WARMUP_PING_PATH: '/readyz', WEBSITE_SWAP_WARMUP_PING_STATUSES: '200' });
    const site = one('Microsoft.Web/sites');
    const properties = site.properties as { clientAffinityEnabled: boolean; siteConfig: Record<string, unknown> };
    expect(properties.siteConfig).toMatchObject({ linuxFxVersion: 'NODE|22-lts', alwaysOn: true, healthCheckPath: '/readyz', webSocketsEnabled: true });
    expect(properties.clientAffinityEnabled).toBe(false);
  });

  test('every parameter is used, and every parameter and variable it names is declared', () => {
    const text = JSON.stringify({ variables: template.variables, resources: template.resources, outputs: template.outputs, parameters: template.parameters });
    const named = (fn: string) => new Set([...text.matchAll(new RegExp(`${fn}\\('(\\w+)'\\)`, 'g'))].map((m) => m[1]!));
    for (const parameter of Object.keys(template.parameters)) expect([parameter, named('parameters').has(parameter)]).toEqual([parameter, true]);
    for (const parameter of named('parameters')) expect(Object.keys(template.parameters)).toContain(parameter);
    for (const variable of named('variables')) expect(Object.keys(template.variables)).toContain(variable);
    // Every expression parses and evaluates (an unknown function or a typo throws), in every
    // resource, deployed or not: ARM evaluates reference() and listKeys() even where the condition is false.
    for (const [instanceCount, smtpUrl] of [[1, ''], [2, SECRETS.smtpUrl]] as const) {
      const arm = new ArmEvaluator(template, { ...REQUIRED, smtpUrl, instanceCount });
      for (const resource of template.resources) arm.value(resource);
      arm.value(template.outputs);
    }
  });

  test('secrets are secure parameters, written only into the Key Vault (not into settings, other resources or outputs), and reach the app as Key Vault references', () => {
    for (const name of SECURE_PARAMETERS) {
      expect([name, template.parameters[name]?.type]).toEqual([name, 'securestring']);
      // A secure parameter's only possible default is "unset".
      expect(['', undefined]).toContain(template.parameters[name]?.defaultValue);
    }
    expect(template.parameters.mongodbUri).not.toHaveProperty('defaultValue');
    expect(template.parameters.metricsToken).not.toHaveProperty('defaultValue');
    const { arm, deployed, rawSettings } = deployment({ ...REQUIRED, smtpUrl: SECRETS.smtpUrl, instanceCount: 2 });
    const inPlainSight = [...deployed.filter((r) => r.type !== 'Microsoft.KeyVault/vaults/secrets'), { type: 'outputs', name: 'outputs', value: template.outputs }];
    for (const resource of inPlainSight) {
      const evaluated = JSON.stringify(arm.value(resource));
      for (const secret of [...Object.values(SECRETS), FAKE.redisKey, encodeURIComponent(FAKE.redisKey)]) expect([resource.type, evaluated.includes(secret)]).toEqual([resource.type, false]);
    }
    for (const setting of ['MicrosoftAppPassword', 'PSEUDONYM_SECRET', 'OPERATOR_TOKEN_SECRET', 'DIRECTLINE_SECRET', 'DATA_ENCRYPTION_KEY', 'METRICS_TOKEN', 'MONGODB_URI', 'SMTP_URL', 'REDIS_URL']) {
      expect([setting, rawSettings[setting]]).toEqual([setting, expect.stringMatching(KEY_VAULT_REFERENCE)]);
    }
  });

  test('the app reads the Key Vault through its own managed identity, as Key Vault Secrets User, granted before its settings are written', () => {
    const { arm, one, settingsResource } = deployment(REQUIRED);
    const vault = one('Microsoft.KeyVault/vaults');
    expect(vault.properties).toMatchObject({ enableRbacAuthorization: true, enablePurgeProtection: true });
    const site = one('Microsoft.Web/sites');
    expect(site.identity).toEqual({ type: 'SystemAssigned' });
    const grant = one('Microsoft.Authorization/roleAssignments');
    const properties = arm.value(grant.properties) as Record<string, string>;
    expect(properties.roleDefinitionId).toBe(`/subscriptions/${FAKE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`);
    expect(properties.principalId).toBe(FAKE.sitePrincipalId);
    expect(properties.principalType).toBe('ServicePrincipal');
    expect(arm.value(grant.scope)).toBe(`Microsoft.KeyVault/vaults/${String(arm.value(vault.name))}`);
    // The settings come after the grant, so that App Service resolves the references on its first start.
    const grantId = `/subscriptions/${FAKE.subscriptionId}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${String(arm.value(vault.name))}/providers/Microsoft.Authorization/roleAssignments/${String(arm.value(grant.name))}`;
    expect(arm.value(settingsResource.dependsOn)).toContain(grantId);
  });

  test('the plan runs instanceCount instances; Redis, TLS only, comes with more than one and gives REDIS_URL', () => {
    expect(template.parameters.instanceCount).toMatchObject({ type: 'int', defaultValue: 2, minValue: 1, maxValue: 10 });
    const single = deployment({ ...REQUIRED, instanceCount: 1 });
    expect(single.arm.value((single.one('Microsoft.Web/serverfarms').sku as { capacity: string }).capacity)).toBe(1);
    expect(single.deployed.filter((r) => r.type === 'Microsoft.Cache/redis' || String(single.arm.value(r.name)).endsWith('/redis-url'))).toEqual([]);
    expect(single.environment().REDIS_URL).toBe('');

    const cluster = deployment({ ...REQUIRED, instanceCount: 3, redisSku: 'Standard_C0' });
    expect(cluster.arm.value((cluster.one('Microsoft.Web/serverfarms').sku as { capacity: string }).capacity)).toBe(3);
    const redis = cluster.one('Microsoft.Cache/redis');
    expect(typeof redis.condition).toBe('string');
    expect(cluster.arm.value(redis.properties)).toMatchObject({ enableNonSslPort: false, minimumTlsVersion: '1.2', sku: { name: 'Standard', family: 'C', capacity: 0 } });
    const redisUrl = cluster.environment().REDIS_URL!;
    expect(redisUrl).toBe(`rediss://:${encodeURIComponent(FAKE.redisKey)}@${APP_NAME}-redis.redis.cache.windows.net:6380`);
    // node-redis reads the password percent-decoded: the key comes back whole.
    const url = new URL(redisUrl);
    expect([url.protocol, decodeURIComponent(url.password), url.port]).toEqual(['rediss:', FAKE.redisKey, '6380']);
  });

  test("no data on App Service's /home share: MongoDB is required and DATA_DIR is on the local disk", () => {
    expect(template.parameters.mongodbUri).toMatchObject({ type: 'securestring' });
    const { mongodbUri: _none, ...withoutMongo } = REQUIRED;
    expect(() => deployment(withoutMongo).environment()).toThrow(/mongodbUri has no value and no default/);
    const environment = deployment(REQUIRED).environment();
    expect(environment.DATA_DIR).toMatch(/^\//);
    expect(environment.DATA_DIR).not.toMatch(/^\/home(\/|$)/);
    expect(Object.values(environment).filter((value) => value.startsWith('/home'))).toEqual([]);
  });

  test("the bot's region is a parameter, the EU regional bot by default", () => {
    expect(template.parameters.botLocation).toMatchObject({ defaultValue: 'westeurope', allowedValues: expect.arrayContaining(['westeurope', 'global']) });
    const eu = deployment(REQUIRED);
    expect(eu.arm.value(eu.one('Microsoft.BotService/botServices').location)).toBe('westeurope');
    const global = deployment({ ...REQUIRED, botLocation: 'global' });
    expect(global.arm.value(global.one('Microsoft.BotService/botServices').location)).toBe('global');
  });
});
