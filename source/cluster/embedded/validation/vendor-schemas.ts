// Compact structural schemas for the vendor kinds the lab texts use:
// agentgateway.dev AgentgatewayBackend/AgentgatewayPolicy, kgateway's
// Backend, Gloo's GlooTrafficPolicy and cert-manager's Issuer,
// ClusterIssuer and Certificate. They follow the published CRDs for the
// fields the labs and docs use; where the real CRD is large or we are unsure
// of its shape, the subtree keeps unknown fields (x-kubernetes-preserve-
// unknown-fields) rather than reject valid input. A misspelt top-level field
// (`spec.polices`) is still rejected under Strict.
import type { Schema } from './schema.js';
import { objectMetaSchema } from './object-meta.js';

const preserve = (description?: string): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(description ? { description } : {}) });
const string = (extra: Partial<Schema> = {}): Schema => ({ type: 'string', ...extra });
const port: Schema = { type: 'integer', format: 'int32', minimum: 1, maximum: 65535 };
const stringList: Schema = { type: 'array', items: { type: 'string' } };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const localRef: Schema = { type: 'object', properties: { name: string({ minLength: 1 }) }, required: ['name'] };

const targetRef: Schema = {
  type: 'object',
  properties: {
    group: string({ maxLength: 253 }),
    kind: string({ minLength: 1, maxLength: 63 }),
    name: string({ minLength: 1, maxLength: 253 }),
    sectionName: string({ minLength: 1, maxLength: 253 }),
  },
  required: ['group', 'kind', 'name'],
};
const targetRefs: Schema = { type: 'array', items: targetRef, minItems: 1, maxItems: 16 };
const targetSelectors: Schema = { type: 'array', items: preserve() };

function kindSchema(spec: Schema, specRequired = true): Schema {
  return {
    type: 'object',
    properties: {
      apiVersion: string(),
      kind: string(),
      metadata: objectMetaSchema,
      spec,
      status: preserve(),
    },
    required: specRequired ? ['spec'] : [],
  };
}

// --- agentgateway.dev/v1alpha1 ---------------------------------------------------

/** One LLM provider: the provider's own block plus where to reach it (host/port/path overrides). */
const llmProvider: Schema = {
  type: 'object',
  properties: {
    openai: { type: 'object', properties: { model: string({ minLength: 1, maxLength: 256 }) } },
    anthropic: { type: 'object', properties: { model: string({ minLength: 1, maxLength: 256 }) } },
    gemini: { type: 'object', properties: { model: string({ minLength: 1, maxLength: 256 }) } },
    vertexai: preserve(),
    bedrock: preserve(),
    azureopenai: preserve(),
    azure: preserve(),
    custom: preserve(),
    host: string({ minLength: 1, maxLength: 256 }),
    port,
    path: string({ minLength: 1, maxLength: 1024 }),
    pathPrefix: string({ minLength: 1, maxLength: 1024 }),
    name: string(),
    policies: preserve(),
  },
};

const backendPolicies: Schema = {
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  properties: {
    auth: {
      type: 'object',
      properties: {
        passthrough: { type: 'object' },
        key: string(),
        secretRef: localRef,
        aws: preserve(),
        azure: preserve(),
        gcp: preserve(),
      },
    },
    tls: preserve('Backend TLS: sni, insecureSkipVerify, caCertificateRefs, mtlsCertificateRef'),
    http: preserve(),
    tcp: preserve(),
    ai: preserve(),
    mcp: preserve(),
    a2a: preserve(),
  },
};

export const agentgatewayBackend = kindSchema({
  type: 'object',
  properties: {
    ai: {
      type: 'object',
      properties: {
        provider: llmProvider,
        groups: { type: 'array', items: { type: 'object', properties: { providers: { type: 'array', items: llmProvider } } } },
      },
    },
    static: { type: 'object', properties: { host: string({ minLength: 1, maxLength: 256 }), port, unixPath: string({ minLength: 1 }) } },
    a2a: { type: 'object', properties: { host: string({ minLength: 1, maxLength: 256 }), port }, required: ['host', 'port'] },
    mcp: preserve(),
    aws: preserve(),
    dynamicForwardProxy: preserve(),
    policies: backendPolicies,
  },
});

export const agentgatewayPolicy = kindSchema({
  type: 'object',
  properties: {
    targetRefs,
    targetSelectors,
    frontend: preserve('Listener-level settings: tls, tcp, http, accessLog, tracing'),
    traffic: preserve('Route-level settings: jwtAuthentication, cors, headers, rateLimit, ...'),
    backend: preserve('Backend settings: tls, auth, ai, mcp, ...'),
  },
});

// --- gateway.kgateway.dev/v1alpha1 Backend ------------------------------------------

const authToken: Schema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['Inline', 'SecretRef', 'Passthrough'] },
    inline: string(),
    secretRef: localRef,
  },
  required: ['kind'],
};

// As in the kgateway Backend CRD (v1alpha1): each provider names its own fields.
const kgatewayProvider = (extra: Record<string, Schema> = {}, required: string[] = ['authToken']): Schema => ({
  type: 'object',
  properties: { authToken, model: string(), ...extra },
  required,
});

export const kgatewayBackend = kindSchema({
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['AI', 'AWS', 'Static', 'DynamicForwardProxy', 'MCP'] },
    ai: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      properties: {
        llm: {
          type: 'object',
          properties: {
            provider: {
              type: 'object',
              properties: {
                openai: kgatewayProvider(),
                anthropic: kgatewayProvider({ apiVersion: string() }),
                gemini: kgatewayProvider({ apiVersion: string() }, ['apiVersion', 'authToken', 'model']),
                vertexai: preserve(),
                azureopenai: kgatewayProvider({ apiVersion: string({ minLength: 1 }), deploymentName: string({ minLength: 1 }), endpoint: string({ minLength: 1 }) }, ['apiVersion', 'authToken', 'deploymentName', 'endpoint']),
                bedrock: preserve(),
              },
              minProperties: 1,
              maxProperties: 1,
            },
            hostOverride: { type: 'object', properties: { host: string({ minLength: 1 }), port }, required: ['host', 'port'] },
            pathOverride: { type: 'object', properties: { fullPath: string() }, required: ['fullPath'] },
            authHeaderOverride: { type: 'object', properties: { headerName: string(), prefix: string() } },
          },
          required: ['provider'],
        },
        multipool: preserve(),
        priorityGroups: { type: 'array', items: preserve() },
      },
    },
    static: {
      type: 'object',
      properties: {
        hosts: { type: 'array', minItems: 1, items: { type: 'object', properties: { host: string({ minLength: 1 }), port }, required: ['host', 'port'] } },
        appProtocol: string(),
      },
    },
    aws: preserve(),
    mcp: preserve(),
    dynamicForwardProxy: preserve(),
  },
  required: ['type'],
});

// --- gloo.solo.io/v1alpha1 GlooTrafficPolicy ---------------------------------------

export const glooTrafficPolicy = kindSchema({
  type: 'object',
  // GlooTrafficPolicy carries every kgateway TrafficPolicy field plus Gloo's
  // own (glooJWT, extAuth, rateLimit, transformation, ...): keep what we do not model.
  'x-kubernetes-preserve-unknown-fields': true,
  properties: {
    targetRefs,
    targetSelectors,
    glooJWT: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        beforeExtAuth: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: {
            providers: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: {
                  issuer: string(),
                  audiences: stringList,
                  jwks: {
                    type: 'object',
                    properties: { local: { type: 'object', properties: { key: string() }, required: ['key'] }, remote: preserve() },
                  },
                  claimsToHeaders: { type: 'array', items: preserve() },
                  tokenSource: preserve(),
                  keepToken: string(),
                },
              },
            },
            validationMode: string(),
          },
        },
        afterExtAuth: preserve(),
      },
    },
  },
});

// --- cert-manager.io/v1 ----------------------------------------------------------------

const issuerSpec: Schema = {
  type: 'object',
  properties: {
    selfSigned: { type: 'object', properties: { crlDistributionPoints: stringList } },
    ca: {
      type: 'object',
      properties: { secretName: string({ minLength: 1 }), crlDistributionPoints: stringList, ocspServers: stringList, issuingCertificateURLs: stringList },
      required: ['secretName'],
    },
    acme: preserve(),
    vault: preserve(),
    venafi: preserve(),
  },
};

export const issuer = kindSchema(issuerSpec);
export const clusterIssuer = kindSchema(issuerSpec);

export const certificate = kindSchema({
  type: 'object',
  properties: {
    secretName: string({ minLength: 1 }),
    issuerRef: { type: 'object', properties: { name: string({ minLength: 1 }), kind: string(), group: string() }, required: ['name'] },
    commonName: string({ maxLength: 64 }),
    dnsNames: stringList,
    ipAddresses: stringList,
    uris: stringList,
    emailAddresses: stringList,
    otherNames: { type: 'array', items: preserve() },
    duration: string(),
    renewBefore: string(),
    renewBeforePercentage: { type: 'integer', format: 'int32' },
    isCA: { type: 'boolean' },
    usages: {
      type: 'array',
      items: {
        type: 'string',
        enum: [
          'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
          'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
          'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
          'microsoft sgc', 'netscape sgc',
        ],
      },
    },
    privateKey: {
      type: 'object',
      properties: {
        algorithm: { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] },
        size: { type: 'integer' },
        encoding: { type: 'string', enum: ['PKCS1', 'PKCS8'] },
        rotationPolicy: { type: 'string', enum: ['Never', 'Always'] },
      },
    },
    subject: {
      type: 'object',
      properties: {
        organizations: stringList, countries: stringList, organizationalUnits: stringList, localities: stringList,
        provinces: stringList, streetAddresses: stringList, postalCodes: stringList, serialNumber: string(),
      },
    },
    literalSubject: string(),
    secretTemplate: { type: 'object', properties: { annotations: stringMap, labels: stringMap } },
    keystores: preserve(),
    revisionHistoryLimit: { type: 'integer', format: 'int32', minimum: 1 },
    additionalOutputFormats: { type: 'array', items: { type: 'object', properties: { type: { type: 'string', enum: ['DER', 'CombinedPEM'] } }, required: ['type'] } },
    nameConstraints: preserve(),
    signatureAlgorithm: string(),
    encodeUsagesInRequest: { type: 'boolean' },
  },
  required: ['secretName', 'issuerRef'],
});

/** Vendor schemas by `group kind`. */
export const vendorSchemas: Record<string, Schema> = {
  'agentgateway.dev AgentgatewayBackend': agentgatewayBackend,
  'agentgateway.dev AgentgatewayPolicy': agentgatewayPolicy,
  'gateway.kgateway.dev Backend': kgatewayBackend,
  'gloo.solo.io GlooTrafficPolicy': glooTrafficPolicy,
  'cert-manager.io Issuer': issuer,
  'cert-manager.io ClusterIssuer': clusterIssuer,
  'cert-manager.io Certificate': certificate,
};
