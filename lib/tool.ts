import { CfnOutput, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { compileToolSchema } from '../lambda/runtime/tool-schema';
import { DEFAULTS, ENV } from '../lambda/shared/env';
import { METRICS_NAMESPACE } from '../lambda/shared/metrics';
import type { IHappIngress } from './ingress/types';
import { TOOL_ESBUILD_OPTIONS, toolBundleWiring, toolWrapperEntry } from './private/tool-bundle';
import { AlarmSeverity } from './monitoring';
import { grantIdempotencyItems, toolKeyPattern } from './private/table-access';
import { TOOL_ALARMS } from './private/tool-catalog';
import { createToolMonitoring, type HappToolAlarms } from './private/tool-monitoring';
import { validateDuration, validateInteger } from './private/validate';

/** Happ's tool types (Client Tools have no URL and are out of scope). */
export class HappToolType {
  /** Called during the conversation when the AI decides to. */
  public static readonly ACTION = new HappToolType('webhook_action');
  /** Called automatically when a conversation starts: context for the AI. */
  public static readonly INIT = new HappToolType('webhook_init');
  /** Called after a voice call ends: save a summary, update a CRM. */
  public static readonly POST_CALL = new HappToolType('webhook_postcall');
  private constructor(
    /** The `type` value Happ's API takes. */
    public readonly value: string,
  ) {}
}

/** When the assistant speaks relative to the tool call. */
export class HappToolExecutionMode {
  public static readonly IMMEDIATE = new HappToolExecutionMode('immediate');
  public static readonly POST_TOOL_SPEECH = new HappToolExecutionMode('post_tool_speech');
  public static readonly ASYNC = new HappToolExecutionMode('async');
  private constructor(
    /** The `executionMode` value Happ's API takes. */
    public readonly value: string,
  ) {}
}

/** The HTTP methods Happ can call a tool with. */
export class HappToolMethod {
  public static readonly GET = new HappToolMethod('GET');
  public static readonly POST = new HappToolMethod('POST');
  public static readonly PUT = new HappToolMethod('PUT');
  public static readonly DELETE = new HappToolMethod('DELETE');
  public static readonly PATCH = new HappToolMethod('PATCH');
  private constructor(
    /** Upper-case method. */
    public readonly value: string,
  ) {}
}

/** The JSON Happ's `POST /api/assistant-tools` takes, without `assistantId` and `webhookSecret` (added at registration). */
export interface HappToolDefinition {
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly apiCallUrl: string;
  /** Lower-case, as Happ's API takes it. */
  readonly httpMethod: string;
  readonly executionMode: string;
  readonly parameters: Record<string, unknown>;
}

/** Default tool timeout: well inside API Gateway's 29 s, short enough for a conversation. */
export const DEFAULT_TOOL_TIMEOUT = Duration.seconds(10);
/** Longest tool timeout: API Gateway REST integrations end at 29 s; the answer must leave before. */
export const MAX_TOOL_TIMEOUT = Duration.seconds(28);
/** Default time a stored answer serves retries of an idempotent tool. */
export const DEFAULT_TOOL_IDEMPOTENCY_WINDOW = Duration.minutes(5);
/** Tool names as LLM function-calling APIs accept them (Happ does not document its own rule). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Lambda runs this much longer than the tool's timeout, so the helper's own answer always leaves. */
const FUNCTION_TIMEOUT_HEADROOM = Duration.seconds(2);

export interface HappToolOptions {
  /** Your tool's source file (TypeScript or JavaScript) exporting `handler = happTool(...)`. */
  readonly entry: string;
  /**
   * The tool's name in Happ (what the AI calls), 1–64 of `a-z A-Z 0-9 _ -`.
   * @default - the construct id
   */
  readonly name?: string;
  /** What the tool does, for the AI to decide when to call it. */
  readonly description: string;
  /** @default HappToolType.ACTION */
  readonly type?: HappToolType;
  /** @default HappToolMethod.POST */
  readonly method?: HappToolMethod;
  /**
   * JSON Schema of the parameters (an object schema). Registered with Happ, and validated by the
   * helper before your function runs (unless your `happTool` passes its own `schema`).
   * @default - { type: 'object', properties: {} }
   */
  readonly parameters?: Record<string, unknown>;
  /** @default HappToolExecutionMode.IMMEDIATE */
  readonly executionMode?: HappToolExecutionMode;
  /** Route path below the API root. @default `tools/<name>` */
  readonly path?: string;
  /** The signing secret (plain string, or `{"current","previous"}` while rotating). @default - a new secret with a generated value */
  readonly secret?: secretsmanager.ISecret;
  /**
   * The answer leaves before this, whatever the function does (a 504 JSON timeout error then). Between
   * 1 and 28 seconds (API Gateway ends the request at 29 s).
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * A retried request (same signature and signed bytes) within `idempotencyWindow` gets the stored
   * answer of the first. On by default for POST and PATCH action tools and for post-call tools (their
   * retries would repeat a side effect); off for GET (reads), PUT and DELETE (idempotent by HTTP's
   * definition) and init tools (context lookups), where running again is what a caller expects.
   * @default - see above
   */
  readonly idempotent?: boolean;
  /** How long a stored answer serves retries (1 minute to 1 day). @default Duration.minutes(5) */
  readonly idempotencyWindow?: Duration;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /** Extra environment variables of the function. @default - none */
  readonly environment?: Record<string, string>;
  /** The lock file NodejsFunction uses to find the project root. @default - found from the working directory */
  readonly depsLockFilePath?: string;
  /** @default - monitoring follows the receiver's `monitoring` */
  readonly monitoring?: boolean;
}

/** What a tool needs from its receiver. */
export interface IHappToolReceiver {
  readonly ingress: IHappIngress;
  readonly table: dynamodb.ITable;
  /** Where alarms notify; undefined when the receiver has no monitoring. */
  readonly toolAlarmActions?: readonly cloudwatch.IAlarmAction[];
  readonly dashboard?: cloudwatch.Dashboard;
  /** The receiver's signature scheme (same tolerant scheme for tools). */
  readonly signatureScheme: {
    readonly header: string;
    readonly encodings: readonly string[];
    readonly prefix: string;
  };
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
}

export interface HappToolProps extends HappToolOptions {
  readonly receiver: IHappToolReceiver;
}

/**
 * A Happ tool webhook: a route on the receiver's front door to a function built from your entry file
 * with the verifying wrapper bundled around it (one hop; a request that is not correctly signed is
 * answered 401 before any of your code runs), its own secret, alarms, and the definition Happ's API
 * takes (also the stack output `…HappToolDefinition`).
 */
export class HappTool extends Construct {
  /** The tool's name in Happ. */
  public readonly name: string;
  /** The URL Happ calls (`apiCallUrl`). */
  public readonly url: string;
  /** The HTTP method Happ calls it with. */
  public readonly method: string;
  /** The signing secret (paste as `webhookSecret`, or let `happ-webhooks tools --register` do it). */
  public readonly secret: secretsmanager.ISecret;
  /** The tool's function (your entry, wrapped). Grant it what your code needs. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The answer deadline. */
  public readonly timeout: Duration;
  /** Whether retried requests get the stored answer of the first. */
  public readonly idempotent: boolean;
  /** The JSON Happ's API takes for this tool (without `assistantId`, `webhookSecret`). */
  public readonly definition: HappToolDefinition;
  /** The stack output carrying `definition` (its key ends with `HappToolDefinition`). */
  public readonly definitionOutput: CfnOutput;
  /** Alarms; undefined without monitoring. */
  public readonly alarms?: HappToolAlarms;

  constructor(scope: Construct, id: string, props: HappToolProps) {
    super(scope, id);
    const resolved = resolveToolProps(id, props);
    this.name = resolved.name;
    this.method = resolved.method;
    this.timeout = resolved.timeout;
    this.idempotent = resolved.idempotent;
    const receiver = props.receiver;

    this.secret = props.secret ?? this.generatedSecret(receiver.removalPolicy);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: receiver.logRetention });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Happ tool ${this.name}: its logs, its signing secret${this.idempotent ? ', its idempotency records' : ''}`,
    });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resourceArns: [this.logGroup.logGroupArn],
    });
    this.function = this.createFunction(props, resolved, role);
    this.grant(role, receiver.table);

    receiver.ingress.addRoute({ path: resolved.path, method: this.method, handler: this.function });
    this.url = receiver.ingress.urlForPath(resolved.path);
    this.definition = {
      name: this.name,
      type: resolved.type,
      description: props.description,
      apiCallUrl: this.url,
      httpMethod: this.method.toLowerCase(),
      executionMode: resolved.executionMode,
      parameters: resolved.parameters,
    };
    this.definitionOutput = new CfnOutput(this, 'Definition', {
      description: `Happ tool ${this.name}: the body of POST /api/assistant-tools (add assistantId and webhookSecret)`,
      value: Stack.of(this).toJsonString(this.definition),
    });
    this.definitionOutput.overrideLogicalId(
      `${Names.uniqueId(this).replace(/[^A-Za-z0-9]/g, '')}HappToolDefinition`,
    );
    new CfnOutput(this, 'SecretArn', {
      description: `Happ tool ${this.name}: its signing secret (webhookSecret)`,
      value: this.secret.secretArn,
    }).overrideLogicalId(`${Names.uniqueId(this).replace(/[^A-Za-z0-9]/g, '')}HappToolSecretArn`);

    if ((props.monitoring ?? true) && receiver.toolAlarmActions) {
      this.alarms = createToolMonitoring(this, {
        toolName: this.name,
        function: this.function,
        timeout: this.timeout,
        alarmActions: receiver.toolAlarmActions,
        dashboard: receiver.dashboard,
      });
    }
  }

  /** Every alarm of this tool with its severity (the receiver adds them to its list and composite). */
  public listAlarmEntries(): { alarm: cloudwatch.Alarm; severity: AlarmSeverity }[] {
    if (!this.alarms) return [];
    return (Object.entries(this.alarms) as [keyof typeof TOOL_ALARMS, cloudwatch.Alarm][]).map(
      ([name, alarm]) => ({
        alarm,
        severity: TOOL_ALARMS[name].severity === 'page' ? AlarmSeverity.PAGE : AlarmSeverity.TICKET,
      }),
    );
  }

  /** Every alarm of this tool. */
  public listAlarms(): cloudwatch.Alarm[] {
    return this.alarms ? Object.values(this.alarms) : [];
  }

  private createFunction(
    props: HappToolProps,
    resolved: ResolvedToolProps,
    role: iam.IRole,
  ): nodejs.NodejsFunction {
    const scheme = props.receiver.signatureScheme;
    const wiring = toolBundleWiring(props.entry, resolved.parameters);
    const environment: Record<string, string> = {
      ...props.environment,
      [ENV.TOOL_NAME]: this.name,
      [ENV.TOOL_SECRET_ARN]: this.secret.secretArn,
      [ENV.TOOL_TIMEOUT_MS]: String(this.timeout.toMilliseconds()),
      [ENV.TOOL_IDEMPOTENT]: String(this.idempotent),
      [ENV.SIGNATURE_HEADER]: scheme.header,
      [ENV.SIGNATURE_ENCODINGS]: scheme.encodings.join(','),
      [ENV.SIGNATURE_PREFIX]: scheme.prefix,
      POWERTOOLS_SERVICE_NAME: `happ-tool-${this.name}`,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    if (this.idempotent) {
      environment[ENV.TABLE_NAME] = props.receiver.table.tableName;
      environment[ENV.TOOL_IDEMPOTENCY_SECONDS] = String(resolved.idempotencyWindow.toSeconds());
    }
    return new nodejs.NodejsFunction(this, 'Function', {
      description: `Happ tool ${this.name}: verifies the signature, then runs ${props.entry.split(/[\\/]/).pop()}`,
      entry: toolWrapperEntry(),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? 512,
      timeout: this.timeout.plus(FUNCTION_TIMEOUT_HEADROOM),
      logGroup: this.logGroup,
      role,
      environment,
      depsLockFilePath: props.depsLockFilePath,
      bundling: {
        target: TOOL_ESBUILD_OPTIONS.target,
        format: nodejs.OutputFormat.CJS,
        minify: TOOL_ESBUILD_OPTIONS.minify,
        sourceMap: TOOL_ESBUILD_OPTIONS.sourcemap,
        mainFields: [...TOOL_ESBUILD_OPTIONS.mainFields],
        externalModules: [],
        define: wiring.define,
        esbuildArgs: Object.fromEntries(Object.entries(wiring.alias).map(([k, v]) => [`--alias:${k}`, v])),
      },
    });
  }

  /** Exactly what the helper does: read its secret; with idempotency, its records in the table. */
  private grant(role: iam.Role, table: dynamodb.ITable): void {
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
    });
    this.secret.encryptionKey?.grantDecrypt(
      new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(this).region}.amazonaws.com`, role),
    );
    if (this.idempotent) {
      // Its own records only: happ-tool#<name>#… (never the verifier's or a subscriber's).
      grantIdempotencyItems(table, role, toolKeyPattern(this.name));
    }
  }

  private generatedSecret(removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Signs Happ tool ${this.name} requests: Happ's webhookSecret of the tool. Rotate with {"current": "<new>", "previous": ["<old>"]}.`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is shared with Happ, which has no API to receive a rotated secret by itself: rotation is manual and without downtime ({"current","previous"} both verify, see README).',
    });
    return secret;
  }
}

interface ResolvedToolProps {
  readonly name: string;
  readonly method: string;
  readonly type: string;
  readonly executionMode: string;
  readonly path: string;
  readonly parameters: Record<string, unknown>;
  readonly timeout: Duration;
  readonly idempotent: boolean;
  readonly idempotencyWindow: Duration;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const TYPES = ['webhook_action', 'webhook_init', 'webhook_postcall'];
const MODES = ['immediate', 'post_tool_speech', 'async'];
const PATH_RE = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** Validates the props (messages name the prop, the value and what is allowed) and fills the defaults. */
export function resolveToolProps(id: string, props: HappToolOptions): ResolvedToolProps {
  const name = props.name ?? id;
  if (!Token.isUnresolved(name) && !TOOL_NAME_PATTERN.test(name)) {
    throw new Error(
      `tool name must be 1–64 characters of a-z, A-Z, 0-9, _ and - (given ${JSON.stringify(name)})`,
    );
  }
  if (typeof props.entry !== 'string' || props.entry === '') {
    throw new Error(
      `entry must be the path of the tool's source file (given ${JSON.stringify(props.entry)})`,
    );
  }
  if (typeof props.description !== 'string' || props.description.trim() === '') {
    throw new Error(
      `description must say what the tool does, for the AI (given ${JSON.stringify(props.description)})`,
    );
  }
  const method = props.method?.value ?? 'POST';
  if (!METHODS.includes(method))
    throw new Error(`method must be one of ${METHODS.join(', ')} (given ${method})`);
  const type = props.type?.value ?? HappToolType.ACTION.value;
  if (!TYPES.includes(type)) throw new Error(`type must be one of ${TYPES.join(', ')} (given ${type})`);
  const executionMode = props.executionMode?.value ?? HappToolExecutionMode.IMMEDIATE.value;
  if (!MODES.includes(executionMode)) {
    throw new Error(`executionMode must be one of ${MODES.join(', ')} (given ${executionMode})`);
  }
  const path = (props.path ?? `tools/${name}`).replace(/^\/+/, '');
  if (!PATH_RE.test(path) || ['chat', 'call'].includes(path.toLowerCase())) {
    throw new Error(
      `path must be a URL path of letters, digits, . _ ~ - and /, other than chat and call (given ${JSON.stringify(props.path)})`,
    );
  }
  const parameters = props.parameters ?? { type: 'object', properties: {} };
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new Error(`parameters must be a JSON Schema object (given ${JSON.stringify(parameters)})`);
  }
  if (parameters.type !== undefined && parameters.type !== 'object') {
    throw new Error(
      `parameters must describe an object (type "object"): Happ sends named parameters (given type ${JSON.stringify(parameters.type)})`,
    );
  }
  try {
    compileToolSchema(parameters);
  } catch (error) {
    throw new Error(`parameters: ${(error as Error).message}`);
  }
  const timeout = props.timeout ?? DEFAULT_TOOL_TIMEOUT;
  validateDuration('timeout', timeout, Duration.seconds(1), MAX_TOOL_TIMEOUT);
  const idempotencyWindow = props.idempotencyWindow ?? DEFAULT_TOOL_IDEMPOTENCY_WINDOW;
  validateDuration('idempotencyWindow', idempotencyWindow, Duration.minutes(1), Duration.days(1));
  validateInteger('memorySizeMb', props.memorySizeMb, 128, 10240);
  const idempotentByDefault =
    type === HappToolType.POST_CALL.value
      ? method !== 'GET'
      : type === HappToolType.ACTION.value && (method === 'POST' || method === 'PATCH');
  return {
    name,
    method,
    type,
    executionMode,
    path,
    parameters,
    timeout,
    idempotent: props.idempotent ?? idempotentByDefault,
    idempotencyWindow,
  };
}

/** The default signature scheme, when the receiver sets none. */
export const DEFAULT_TOOL_SIGNATURE_SCHEME = {
  header: DEFAULTS.signatureHeader,
  encodings: [...DEFAULTS.signatureEncodings],
  prefix: DEFAULTS.signaturePrefix,
} as const;
