import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HappWebhookReceiver, HappWebhookReceiverProps } from '../../lib';

/** CloudFormation's hard limits for one stack template. */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;
/** CloudFormation's limit on parameters per template (a nested stack receives parent values as parameters). */
const MAX_PARAMETERS = 200;

interface Size {
  readonly resources: number;
  /** Bytes of the template file `cdk synth` writes and CloudFormation receives. */
  readonly bytes: number;
  readonly alarms: number;
  readonly nested?: { readonly resources: number; readonly bytes: number; readonly parameters: number };
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A receiver with `n` subscribers, each with its own handler function in the same stack (the worst case). */
function synthesize(n: number, props: HappWebhookReceiverProps = {}): Size {
  const outdir = mkdtempSync(join(tmpdir(), 'happ-scale-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Scale');
  // The dashboard on: the largest template monitoring makes (it adds a row per subscriber).
  const receiver = new HappWebhookReceiver(stack, 'Happ', { dashboard: true, ...props });
  for (let i = 0; i < n; i++) {
    const fn = new lambda.Function(stack, `Fn${i}`, {
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
    });
    receiver.addSubscriber(`Subscriber${i}`, fn, { events: [`event.${i}`] });
  }
  const assembly = app.synth();
  const file = join(assembly.directory, assembly.getStackByName('Scale').templateFile);
  const text = readFileSync(file, 'utf8');
  const template = JSON.parse(text);
  const countAlarms = (t: { Resources: Record<string, { Type: string }> }) =>
    Object.values(t.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
  const nestedFile = readdirSync(assembly.directory).find((f) => f.endsWith('.nested.template.json'));
  let nested: Size['nested'];
  let alarms = countAlarms(template);
  if (nestedFile) {
    const nestedText = readFileSync(join(assembly.directory, nestedFile), 'utf8');
    const nestedTemplate = JSON.parse(nestedText);
    alarms += countAlarms(nestedTemplate);
    nested = {
      resources: Object.keys(nestedTemplate.Resources).length,
      bytes: Buffer.byteLength(nestedText),
      parameters: Object.keys(nestedTemplate.Parameters ?? {}).length,
    };
  }
  return {
    resources: Object.keys(template.Resources).length,
    bytes: Buffer.byteLength(text),
    alarms,
    nested,
  };
}

describe('template size with monitoring on (each subscriber with its own handler function in the stack)', () => {
  const sizes = new Map<number, Size>();
  beforeAll(() => {
    for (const n of [1, 10, 20]) sizes.set(n, synthesize(n));
  });

  it('grows by exactly 13 resources per subscriber: 6 of the subscriber, 4 alarms, 3 of its function', () => {
    const perSubscriber = (sizes.get(20)!.resources - sizes.get(10)!.resources) / 10;
    expect(perSubscriber).toBe(13);
    expect(sizes.get(10)!.resources - sizes.get(1)!.resources).toBe(9 * 13);
    expect((sizes.get(20)!.alarms - sizes.get(10)!.alarms) / 10).toBe(4);
  });

  it('grows by 12-16 KB of template per subscriber', () => {
    const perSubscriber = (sizes.get(20)!.bytes - sizes.get(10)!.bytes) / 10;
    expect(perSubscriber).toBeGreaterThan(12_000);
    expect(perSubscriber).toBeLessThan(16_000);
  });

  it('20 subscribers stay well inside the limits: under 65% of 500 resources and 40% of 1 MB', () => {
    const { resources, bytes } = sizes.get(20)!;
    expect(resources).toBeLessThan(0.65 * MAX_RESOURCES); // 305 measured
    expect(bytes).toBeLessThan(0.4 * MAX_TEMPLATE_BYTES); // ~311 KB measured
  });

  it('35 subscribers fit in one stack; the resource limit, not the size, is what binds', () => {
    const base = sizes.get(1)!.resources - 13;
    const fit = Math.floor((MAX_RESOURCES - base) / 13);
    expect(fit).toBe(35);
    const at = synthesize(fit);
    expect(at.resources).toBeLessThanOrEqual(MAX_RESOURCES);
    expect(at.bytes).toBeLessThan(0.6 * MAX_TEMPLATE_BYTES);
  });
});

describe('monitoringInNestedStack', () => {
  it('fits 50 subscribers: the parent and the nested stack each stay inside resources, bytes and parameters', () => {
    const size = synthesize(50, { monitoringInNestedStack: true });
    expect(size.resources).toBeLessThanOrEqual(MAX_RESOURCES); // 482 measured: 9 per subscriber
    expect(size.bytes).toBeLessThan(0.5 * MAX_TEMPLATE_BYTES);
    expect(size.alarms).toBe(9 + 4 * 50);
    expect(size.nested!.resources).toBeLessThan(0.5 * MAX_RESOURCES); // 212: 4 per subscriber
    expect(size.nested!.bytes).toBeLessThan(0.5 * MAX_TEMPLATE_BYTES);
    // 3 parameters per subscriber (queue, DLQ, handler names): the nested stack's own limit is ~65 subscribers.
    expect(size.nested!.parameters).toBeLessThan(MAX_PARAMETERS);
    expect(size.nested!.parameters).toBe(3 + 3 * 50); // + the API id (the throttling metrics)
  });
});
