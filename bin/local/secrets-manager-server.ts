/**
 * A tiny local stand-in for AWS Secrets Manager: a real HTTP server (node:http, loopback, a free
 * port by default) that speaks the AWS JSON 1.1 protocol for the four operations this package
 * needs — `GetSecretValue`, `PutSecretValue`, `DescribeSecret`, `CreateSecret` — over an in-memory
 * store. No local emulator of Secrets Manager exists, and a bundled Lambda carries its own copy of
 * the AWS SDK (so SDK mocks cannot reach it); pointing the SDK here works for any process:
 *
 *   const sm = new LocalSecretsManagerServer();
 *   process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
 *   const arn = sm.setSecret('happ/chat', 'my-secret');
 *
 * Used by the tests and by the CLI's `dev` command. It can be made to fail (`failNext(n)`, `down`)
 * to exercise dependency failures. It does not check credentials or signatures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The operations served (the `X-Amz-Target` is `secretsmanager.<operation>`). */
export const SECRETS_MANAGER_OPERATIONS = [
  'GetSecretValue',
  'PutSecretValue',
  'DescribeSecret',
  'CreateSecret',
] as const;
export type SecretsManagerOperation = (typeof SECRETS_MANAGER_OPERATIONS)[number];

export interface LocalSecretsManagerServerOptions {
  /** TCP port. @default 0 - a free port chosen by the OS */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Region written into secret ARNs. @default process.env.AWS_REGION, else 'us-east-1' */
  readonly region?: string;
  /** Account id written into secret ARNs. @default '000000000000' */
  readonly accountId?: string;
}

/** One request the server answered (or failed on purpose), for assertions and diagnostics. */
export interface SecretsManagerRequestRecord {
  /** `GetSecretValue`, ..., or the raw target when it is not a served operation. */
  readonly operation: string;
  /** The `SecretId` (or `Name` for CreateSecret) the request named, when any. */
  readonly secretId?: string;
  /** HTTP status the server answered with. */
  readonly status: number;
}

/** Metadata about a stored secret (never its value). */
export interface LocalSecretInfo {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
}

interface SecretVersion {
  readonly id: string;
  readonly string?: string;
  readonly binary?: Buffer;
  readonly createdAt: Date;
  stages: string[];
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  readonly createdAt: Date;
  lastChangedAt: Date;
  versions: SecretVersion[];
}

/** A Secrets Manager error as the JSON 1.1 protocol carries it. */
class ServiceError extends Error {
  constructor(
    public readonly status: number,
    public readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const MAX_REQUEST_BYTES = 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export class LocalSecretsManagerServer {
  /**
   * While true, every request is answered with HTTP 500 `InternalServiceError` (retryable, so the
   * SDK retries and then gives up), as if Secrets Manager were unavailable.
   */
  public down = false;

  private readonly options: Required<LocalSecretsManagerServerOptions>;
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly log: SecretsManagerRequestRecord[] = [];
  private server: Server | undefined;
  private url: string | undefined;
  private failuresLeft = 0;

  constructor(options: LocalSecretsManagerServerOptions = {}) {
    this.options = {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
    };
  }

  /** Starts listening; resolves to the endpoint URL (for `AWS_ENDPOINT_URL_SECRETS_MANAGER`). */
  public async start(): Promise<string> {
    if (this.url) return this.url;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // Never leave a request hanging; the message names no secret value.
        if (!res.headersSent)
          this.sendError(res, new ServiceError(500, 'InternalServiceError', String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    this.url = `http://${host}:${port}`;
    return this.url;
  }

  /** Stops listening and closes every open (keep-alive) connection. Safe to call twice. */
  public async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.url = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The endpoint URL; throws when the server is not started. */
  public get endpoint(): string {
    if (!this.url) throw new Error('LocalSecretsManagerServer is not started; call start() first');
    return this.url;
  }

  /**
   * Creates the secret, or gives it a new current version (the old one becomes `AWSPREVIOUS`).
   * Returns the secret's ARN.
   */
  public setSecret(name: string, value: string): string {
    const existing = this.find(name);
    if (existing) {
      this.addVersion(existing, { string: value });
      return existing.arn;
    }
    return this.create(name, { string: value }).arn;
  }

  /** The current string value of a secret (by name or ARN), or undefined when there is none. */
  public getSecretString(secretId: string): string | undefined {
    const secret = this.find(secretId);
    return secret ? this.version(secret, CURRENT)?.string : undefined;
  }

  /** ARN, name and current version of a secret (by name or ARN), or undefined. */
  public describe(secretId: string): LocalSecretInfo | undefined {
    const secret = this.find(secretId);
    const current = secret && this.version(secret, CURRENT);
    return secret && current ? { arn: secret.arn, name: secret.name, versionId: current.id } : undefined;
  }

  /** Removes a secret; later requests for it get `ResourceNotFoundException`. */
  public deleteSecret(secretId: string): boolean {
    const secret = this.find(secretId);
    return secret ? this.secrets.delete(secret.name) : false;
  }

  /** The next `count` requests (any operation) fail with a retryable HTTP 500 `InternalServiceError`. */
  public failNext(count = 1): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`failNext count must be a non-negative integer (given ${count})`);
    }
    this.failuresLeft = count;
  }

  /** Every request answered so far, oldest first. */
  public get requests(): readonly SecretsManagerRequestRecord[] {
    return this.log;
  }

  /** How many requests of one operation (or of all) were answered. */
  public requestCount(operation?: SecretsManagerOperation): number {
    return operation ? this.log.filter((r) => r.operation === operation).length : this.log.length;
  }

  /** Forgets the request log. */
  public clearRequests(): void {
    this.log.length = 0;
  }

  // ---------------------------------------------------------------- protocol

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
    let input: Record<string, unknown> = {};
    const record = (status: number): void => {
      const id = input.SecretId ?? input.Name;
      this.log.push({ operation, status, ...(typeof id === 'string' ? { secretId: id } : {}) });
    };
    try {
      if (raw === undefined) throw new ServiceError(413, 'ValidationException', 'request body too large');
      if (req.method !== 'POST') throw new ServiceError(405, 'UnknownOperationException', 'expected POST');
      try {
        input = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new ServiceError(400, 'SerializationException', 'request body is not valid JSON');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        input = {};
        throw new ServiceError(400, 'SerializationException', 'request body must be a JSON object');
      }
      if (this.down || this.failuresLeft > 0) {
        if (this.failuresLeft > 0) this.failuresLeft -= 1;
        throw new ServiceError(500, 'InternalServiceError', 'local Secrets Manager is failing on purpose');
      }
      const output = this.dispatch(operation, input);
      record(200);
      this.send(res, 200, output);
    } catch (error) {
      const serviceError =
        error instanceof ServiceError ? error : new ServiceError(500, 'InternalServiceError', String(error));
      record(serviceError.status);
      this.sendError(res, serviceError);
    }
  }

  private dispatch(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'DescribeSecret':
        return this.describeSecret(input);
      case 'CreateSecret':
        return this.createSecret(input);
      default:
        throw new ServiceError(
          400,
          'UnknownOperationException',
          `operation "${operation}" is not served by the local Secrets Manager (serves ${SECRETS_MANAGER_OPERATIONS.join(', ')})`,
        );
    }
  }

  private getSecretValue(input: Record<string, unknown>): Record<string, unknown> {
    const secret = this.require(input);
    const versionId = optionalString(input, 'VersionId');
    const stage = optionalString(input, 'VersionStage');
    const version = versionId
      ? secret.versions.find((v) => v.id === versionId && (!stage || v.stages.includes(stage)))
      : this.version(secret, stage ?? CURRENT);
    if (!version) {
      throw new ServiceError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for VersionId or VersionStage",
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
      ...(version.string !== undefined ? { SecretString: version.string } : {}),
      ...(version.binary !== undefined ? { SecretBinary: version.binary.toString('base64') } : {}),
    };
  }

  private putSecretValue(input: Record<string, unknown>): Record<string, unknown> {
    const secret = this.require(input);
    const version = this.addVersion(
      secret,
      secretValueOf(input),
      optionalString(input, 'ClientRequestToken'),
    );
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  }

  private describeSecret(input: Record<string, unknown>): Record<string, unknown> {
    const secret = this.require(input);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.lastChangedAt),
      VersionIdsToStages: Object.fromEntries(
        secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, [...v.stages]]),
      ),
    };
  }

  private createSecret(input: Record<string, unknown>): Record<string, unknown> {
    const name = optionalString(input, 'Name');
    if (!name || !NAME_RE.test(name)) {
      throw new ServiceError(
        400,
        'InvalidParameterException',
        'Name must be 1-512 characters of letters, digits and /_+=.@-',
      );
    }
    if (this.secrets.has(name)) {
      throw new ServiceError(
        400,
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
    const secret = this.create(
      name,
      hasValue ? secretValueOf(input) : undefined,
      optionalString(input, 'ClientRequestToken'),
    );
    const description = optionalString(input, 'Description');
    if (description !== undefined) secret.description = description;
    const current = this.version(secret, CURRENT);
    return { ARN: secret.arn, Name: secret.name, ...(current ? { VersionId: current.id } : {}) };
  }

  // ---------------------------------------------------------------- store

  private create(
    name: string,
    value?: { string?: string; binary?: Buffer },
    versionId?: string,
  ): StoredSecret {
    if (!NAME_RE.test(name)) {
      throw new RangeError(
        `secret name must be 1-512 characters of letters, digits and /_+=.@- (given "${name}")`,
      );
    }
    const now = new Date();
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId}:secret:${name}-${suffix}`,
      name,
      createdAt: now,
      lastChangedAt: now,
      versions: [],
    };
    this.secrets.set(name, secret);
    if (value) this.addVersion(secret, value, versionId);
    return secret;
  }

  private addVersion(
    secret: StoredSecret,
    value: { string?: string; binary?: Buffer },
    versionId?: string,
  ): SecretVersion {
    for (const v of secret.versions) {
      v.stages = v.stages.filter((s) => s !== PREVIOUS);
      if (v.stages.includes(CURRENT)) v.stages = [...v.stages.filter((s) => s !== CURRENT), PREVIOUS];
    }
    const version: SecretVersion = {
      id: versionId ?? randomUUID(),
      ...value,
      createdAt: new Date(),
      stages: [CURRENT],
    };
    // Keep the versions that still carry a stage, plus the new one.
    secret.versions = [...secret.versions.filter((v) => v.stages.length > 0), version];
    secret.lastChangedAt = version.createdAt;
    return version;
  }

  private version(secret: StoredSecret, stage: string): SecretVersion | undefined {
    return secret.versions.find((v) => v.stages.includes(stage));
  }

  /** By name, full ARN, or partial ARN (without the random six-character suffix). */
  private find(secretId: string): StoredSecret | undefined {
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }

  private require(input: Record<string, unknown>): StoredSecret {
    const secretId = optionalString(input, 'SecretId');
    if (!secretId) throw new ServiceError(400, 'InvalidParameterException', 'SecretId is required');
    const secret = this.find(secretId);
    if (!secret) {
      throw new ServiceError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return secret;
  }

  // ---------------------------------------------------------------- wire

  private send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  }

  private sendError(res: ServerResponse, error: ServiceError): void {
    res.setHeader('x-amzn-errortype', error.type);
    this.send(res, error.status, { __type: error.type, message: error.message });
  }
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ServiceError(400, 'InvalidParameterException', `${field} must be a string`);
  }
  return value;
}

function secretValueOf(input: Record<string, unknown>): { string?: string; binary?: Buffer } {
  const string = optionalString(input, 'SecretString');
  const binary = optionalString(input, 'SecretBinary');
  if ((string === undefined) === (binary === undefined)) {
    throw new ServiceError(
      400,
      'InvalidParameterException',
      'exactly one of SecretString and SecretBinary must be given',
    );
  }
  return string !== undefined ? { string } : { binary: Buffer.from(binary as string, 'base64') };
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** The request body, or undefined when it exceeds MAX_REQUEST_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}
